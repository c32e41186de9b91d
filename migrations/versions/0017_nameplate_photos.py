"""attachments.nameplate_of: the photo a device's serial was read from

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nameplate_of', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachments_nameplate_of'), ['nameplate_of'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachments_nameplate_of_devices'), 'devices', ['nameplate_of'],
                                    ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachments_nameplate_of_devices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachments_nameplate_of'))
        batch_op.drop_column('nameplate_of')
