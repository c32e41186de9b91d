"""the device archive (tickets name a device), customer merges with undo, one-time codes linking channels

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('undone_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['customers.id'], name=op.f('fk_customer_merges_source_id_customers')),
    sa.ForeignKeyConstraint(['target_id'], ['customers.id'], name=op.f('fk_customer_merges_target_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_merges'))
    )
    with op.batch_alter_table('customer_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_merges_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_merges_target_id'), ['target_id'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('product', sa.String(length=100), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('purchase_date', sa.Date(), nullable=True),
    sa.Column('warranty_months', sa.Integer(), nullable=True),
    sa.Column('warranty_end', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_devices_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('serial', name=op.f('uq_devices_serial'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_model'), ['model'], unique=False)

    op.create_table('verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verified_at', core.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_verifications_customer_id_customers')),
    sa.ForeignKeyConstraint(['owner_id'], ['customers.id'], name=op.f('fk_verifications_owner_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifications'))
    )
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifications_customer_id'), ['customer_id'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_source', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_customers_phone'), ['phone'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_customers_merged_into_id_customers'), 'customers', ['merged_into_id'], ['id'])

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_device_id'), ['device_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tickets_device_id_devices'), 'devices', ['device_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tickets_device_id_devices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tickets_device_id'))
        batch_op.drop_column('device_id')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_customers_merged_into_id_customers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_customers_phone'))
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('phone_source')

    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifications_customer_id'))

    op.drop_table('verifications')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_model'))
        batch_op.drop_index(batch_op.f('ix_devices_customer_id'))

    op.drop_table('devices')
    with op.batch_alter_table('customer_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_merges_target_id'))
        batch_op.drop_index(batch_op.f('ix_customer_merges_source_id'))

    op.drop_table('customer_merges')
