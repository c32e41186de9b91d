"""outbox lanes: each row's conversation, so one conversation's messages leave in order

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

WAITING = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation', sa.String(length=255), server_default='', nullable=False))
        batch_op.create_index('ix_outbox_lane', ['channel', 'conversation', 'id'], unique=False,
                              sqlite_where=WAITING, postgresql_where=WAITING)
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('status', sa.String),
                      sa.column('recipient', sa.String), sa.column('payload', sa.JSON),
                      sa.column('conversation', sa.String))
    connection = op.get_bind()
    waiting = connection.execute(sa.select(outbox.c.id, outbox.c.recipient, outbox.c.payload)
                                 .where(outbox.c.status.in_(('pending', 'sending')))).all()
    if waiting:
        connection.execute(sa.update(outbox).where(outbox.c.id == sa.bindparam('row_id'))
                           .values(conversation=sa.bindparam('lane')),
                           [{'row_id': row.id, 'lane': row.payload.get('conversation') or row.recipient}
                            for row in waiting])


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_lane')
        batch_op.drop_column('conversation')
