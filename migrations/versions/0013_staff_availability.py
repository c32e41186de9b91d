"""technicians' daily capacity and leave

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('daily_capacity', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('leave', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_at', core.storage.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('assigned_at')

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('leave')
        batch_op.drop_column('daily_capacity')

