"""sla due times on tickets

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_warn_at', core.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_response_due_at', core.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_warn_at', core.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_due_at', core.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('clock_stopped_at', core.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_first_response_warn_at'), ['first_response_warn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_resolution_warn_at'), ['resolution_warn_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_resolution_warn_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_first_response_warn_at'))
        batch_op.drop_column('clock_stopped_at')
        batch_op.drop_column('resolution_due_at')
        batch_op.drop_column('resolution_warn_at')
        batch_op.drop_column('first_response_due_at')
        batch_op.drop_column('first_response_warn_at')
