"""guestlist_uploads and guestlist_staged: an upload kept on the server between preview and import, and the rows an import stages before its swap

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:03:35

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('guestlist_uploads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('planned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('planned_max_attendee_id', sa.Integer(), nullable=True),
    sa.Column('staged_through_line', sa.Integer(), nullable=False),
    sa.Column('staged', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('previewed', 'importing', 'done', 'failed')", name=op.f('ck_guestlist_uploads_state')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_guestlist_uploads_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'], name=op.f('fk_guestlist_uploads_organizer_id_organizers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guestlist_uploads'))
    )
    with op.batch_alter_table('guestlist_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guestlist_uploads_event_id'), ['event_id'], unique=False)

    op.create_table('guestlist_staged',
    sa.Column('upload_id', sa.String(length=32), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('attendee_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('match_key', sa.String(length=340), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('company', sa.String(length=120), nullable=False),
    sa.Column('headline', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('card_code', sa.String(length=16), nullable=True),
    sa.Column('ticket_code', sa.String(length=200), nullable=True),
    sa.Column('ticket_source', sa.String(length=32), nullable=True),
    sa.Column('ticket_type', sa.String(length=120), nullable=False),
    sa.Column('attention_note', sa.String(length=300), nullable=False),
    sa.Column('search_key', sa.String(length=800), nullable=False),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_guestlist_staged_attendee_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['upload_id'], ['guestlist_uploads.id'], name=op.f('fk_guestlist_staged_upload_id_guestlist_uploads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('upload_id', 'line', name=op.f('pk_guestlist_staged'))
    )
    with op.batch_alter_table('guestlist_staged', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guestlist_staged_attendee_id'), ['attendee_id'], unique=False)



def downgrade():
    with op.batch_alter_table('guestlist_staged', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guestlist_staged_attendee_id'))

    op.drop_table('guestlist_staged')
    with op.batch_alter_table('guestlist_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guestlist_uploads_event_id'))

    op.drop_table('guestlist_uploads')
