"""meeting_requests, connections.via (and scanned_by_id only for scans), accepts_requests

A request to meet becomes a connection only if accepted; a connection says how it came
about: a scan, a request or an introduction.

Revision ID: 0016
Revises: 0020 (0017 to 0020 landed first; 0016 was reserved for this one)
Create Date: 2026-12-01 16:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=140), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('asker_id <> target_id', name=op.f('ck_meeting_requests_not_self')),
    sa.CheckConstraint("state IN ('pending', 'accepted', 'declined', 'expired')", name=op.f('ck_meeting_requests_state')),
    sa.ForeignKeyConstraint(['asker_id'], ['attendees.id'], name=op.f('fk_meeting_requests_asker_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_meeting_requests_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['attendees.id'], name=op.f('fk_meeting_requests_target_id_attendees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_requests')),
    sa.UniqueConstraint('asker_id', 'target_id', name=op.f('uq_meeting_requests_asker_id_target_id'))
    )
    with op.batch_alter_table('meeting_requests', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_requests_asker_id_created_at', ['asker_id', 'created_at'], unique=False)
        batch_op.create_index('ix_meeting_requests_event_id_state', ['event_id', 'state'], unique=False)
        batch_op.create_index('ix_meeting_requests_target_id_state', ['target_id', 'state'], unique=False)
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=12), server_default='scan', nullable=False))
        batch_op.alter_column('scanned_by_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f('ck_connections_via'), "via IN ('scan', 'request', 'introduction')")
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepts_requests', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('accepts_requests')
    # A connection nobody scanned (a request, an introduction) cannot be told apart from a scan
    # once ``via`` is gone: it is kept, as scanned by its lower attendee.
    op.execute("UPDATE connections SET scanned_by_id = low_id WHERE scanned_by_id IS NULL")
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_connections_via'), type_='check')
        batch_op.alter_column('scanned_by_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('via')
    with op.batch_alter_table('meeting_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_requests_target_id_state')
        batch_op.drop_index('ix_meeting_requests_event_id_state')
        batch_op.drop_index('ix_meeting_requests_asker_id_created_at')
    op.drop_table('meeting_requests')
