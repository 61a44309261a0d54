"""checkins: a nonce is unique per event, not across every event

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00

"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Nonces were unique everywhere, so they are unique per event already: no row changes.
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint('uq_checkins_nonce', type_='unique')
        batch_op.create_unique_constraint('uq_checkins_event_id_nonce', ['event_id', 'nonce'])


def downgrade():
    # Fails if two events share a nonce: the old rule cannot hold for such data.
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint('uq_checkins_event_id_nonce', type_='unique')
        batch_op.create_unique_constraint('uq_checkins_nonce', ['nonce'])
