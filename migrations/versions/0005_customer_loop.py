"""customer loop

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('conversation', sa.String(length=255), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('article_id', sa.String(length=100), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('feedback_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_kb_answers_customer_id_customers')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_kb_answers_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_answers'))
    )
    with op.batch_alter_table('kb_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_answers_answered_at'), ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_answers_customer_id'), ['customer_id'], unique=False)

    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('conversation', sa.String(length=255), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('step', sa.String(length=10), nullable=False),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('asked_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_surveys_customer_id_customers')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_surveys_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_surveys_ticket_id'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_asked_at'), ['asked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveys_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveys_status'), ['status'], unique=False)
        batch_op.create_index('ix_surveys_thread', ['channel', 'conversation', 'recipient', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_thread')
        batch_op.drop_index(batch_op.f('ix_surveys_status'))
        batch_op.drop_index(batch_op.f('ix_surveys_customer_id'))
        batch_op.drop_index(batch_op.f('ix_surveys_asked_at'))

    op.drop_table('surveys')
    with op.batch_alter_table('kb_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_answers_customer_id'))
        batch_op.drop_index(batch_op.f('ix_kb_answers_answered_at'))

    op.drop_table('kb_answers')
