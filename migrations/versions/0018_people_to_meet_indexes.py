"""People to meet here: indexes to read what changed since (arrivals, card edits)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 16:30:00

"""
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_event_id_received_at', ['event_id', 'received_at'],
                              unique=False)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_community_id_updated_at', ['community_id', 'updated_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_community_id_updated_at')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_event_id_received_at')
