"""events.reminder_hours_before: a reminder before the event, the day before unless changed

Existing events get the default (24 hours before); their guests already invited get a
reminder only when they are invited again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_hours_before', sa.Integer(), nullable=True,
                                      server_default='24'))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('reminder_hours_before')
