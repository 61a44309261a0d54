"""attendee_search_terms: door and dashboard search read an index of words, not every guest

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

TERM_LENGTH = 64


def _terms(search_key):
    """checkin.people.search.search_terms as it was written with this migration."""
    terms = set()
    for word in (search_key or "").split():
        terms.add(word[:TERM_LENGTH])
        for i in range(1, len(word)):
            if word[i].isalnum() and not word[i - 1].isalnum():
                terms.add(word[i:i + TERM_LENGTH])
    return terms


def upgrade():
    op.create_table('attendee_search_terms',
    sa.Column('attendee_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=TERM_LENGTH).with_variant(
        sa.String(length=TERM_LENGTH, collation='C'), 'postgresql'), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_attendee_search_terms_attendee_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_attendee_search_terms_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attendee_id', 'term', name=op.f('pk_attendee_search_terms'))
    )
    with op.batch_alter_table('attendee_search_terms', schema=None) as batch_op:
        batch_op.create_index('ix_attendee_search_terms_event_id_term', ['event_id', 'term', 'attendee_id'], unique=False)

    connection = op.get_bind()
    attendees = sa.table('attendees', sa.column('id'), sa.column('event_id'),
                         sa.column('search_key'))
    terms = sa.table('attendee_search_terms', sa.column('attendee_id'), sa.column('event_id'),
                     sa.column('term'))
    last = 0
    while True:
        batch = connection.execute(
            sa.select(attendees.c.id, attendees.c.event_id, attendees.c.search_key)
            .where(attendees.c.id > last).order_by(attendees.c.id).limit(1000)).all()
        if not batch:
            break
        rows = [{'attendee_id': id_, 'event_id': event_id, 'term': term}
                for id_, event_id, key in batch for term in _terms(key)]
        if rows:
            connection.execute(terms.insert(), rows)
        last = batch[-1][0]


def downgrade():
    with op.batch_alter_table('attendee_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_attendee_search_terms_event_id_term')
    op.drop_table('attendee_search_terms')
