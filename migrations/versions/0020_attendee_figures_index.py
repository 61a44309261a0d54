"""attendees: the dashboard's figures counted from one index, not from the guests' rows

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 17:00:00

"""
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.create_index('ix_attendees_event_id_checked_in_at_state',
                              ['event_id', 'checked_in_at', 'inside', 'source', 'invited_at'],
                              unique=False)
        batch_op.drop_index('ix_attendees_event_id_checked_in_at')


def downgrade():
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.create_index('ix_attendees_event_id_checked_in_at',
                              ['event_id', 'checked_in_at'], unique=False)
        batch_op.drop_index('ix_attendees_event_id_checked_in_at_state')
