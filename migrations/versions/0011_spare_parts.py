"""spare parts, stock and their ledger

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('parts',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('low_stock', sa.Integer(), nullable=False),
    sa.Column('low_alerted', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sku', name=op.f('pk_parts'))
    )
    op.create_table('part_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['parts.sku'], name=op.f('fk_part_stock_sku_parts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_stock')),
    sa.UniqueConstraint('sku', 'location', name=op.f('uq_part_stock_sku'))
    )
    op.create_table('part_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('device_serial', sa.String(length=64), nullable=False),
    sa.Column('at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['parts.sku'], name=op.f('fk_part_movements_sku_parts')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_part_movements_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_movements'))
    )
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_movements_sku'), ['sku'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_movements_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reported_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('consumed_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['sku'], ['parts.sku'], name=op.f('fk_ticket_parts_sku_parts')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_parts_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_parts'))
    )
    with op.batch_alter_table('ticket_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_parts_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_parts_ticket_id'))

    op.drop_table('ticket_parts')
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_movements_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_part_movements_sku'))

    op.drop_table('part_movements')
    op.drop_table('part_stock')
    op.drop_table('parts')
