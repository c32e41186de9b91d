"""visits agreed with the customer

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_start', core.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('visit_end', core.storage.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('visit_end')
        batch_op.drop_column('visit_start')

