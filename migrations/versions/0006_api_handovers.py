"""handovers, and indexes for the API's filters and staff threads

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('conversation', sa.String(length=255), nullable=False),
    sa.Column('sender', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('requested_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('holder_channel', sa.String(length=20), nullable=False),
    sa.Column('holder_address', sa.String(length=255), nullable=False),
    sa.Column('holder_thread', sa.String(length=255), nullable=False),
    sa.Column('taken_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['staff.id'], name=op.f('fk_handovers_holder_id_staff')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_handovers_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index('ix_handovers_open', ['released_at', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_platform_message', ['channel', 'platform_message_id'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_priority'), ['priority'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_priority'))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_platform_message')

    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handovers_ticket_id'))
        batch_op.drop_index('ix_handovers_open')

    op.drop_table('handovers')
