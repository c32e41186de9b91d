"""spare parts carry a unit price (fen), so what a job used has a cost; the ledger is found by device serial

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('parts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_cents', sa.Integer(), nullable=True))
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_movements_device_serial'), ['device_serial'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_movements_device_serial'))
    with op.batch_alter_table('parts', schema=None) as batch_op:
        batch_op.drop_column('price_cents')
