"""attendees.ticket_url: a second code per guest, the ticket URL their system prints (Tito)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_url', sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_attendees_event_id_ticket_url'),
                                          ['event_id', 'ticket_url'])
    with op.batch_alter_table('guestlist_staged', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_url', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('guestlist_staged', schema=None) as batch_op:
        batch_op.drop_column('ticket_url')
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_attendees_event_id_ticket_url'), type_='unique')
        batch_op.drop_column('ticket_url')
