"""people.first_signed_in_at and attendees.signin_sent_to: a guest's address is theirs

Once a person has signed in, only they change their email address, and a sign-in link works
only if it was sent to it: an organizer who changed the address to their own could otherwise
send themselves a link and read the guest's private notes. People who already wrote a note,
scanned someone's card or wrote what they do, offer or need on their card (only a guest's
phone writes those) have signed in, so they are marked from the start.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_signed_in_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signin_sent_to', sa.String(length=254), nullable=True))
    op.execute(
        "UPDATE people SET first_signed_in_at = CURRENT_TIMESTAMP WHERE id IN ("
        " SELECT attendees.person_id FROM attendees WHERE attendees.id IN ("
        "  SELECT author_id FROM notes UNION SELECT scanned_by_id FROM connections))"
        " OR what_i_do <> '' OR offer <> '' OR need <> '' OR pitch <> ''")


def downgrade():
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.drop_column('signin_sent_to')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('first_signed_in_at')
