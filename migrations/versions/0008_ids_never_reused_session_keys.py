"""Ids are never reused on SQLite (AUTOINCREMENT); attendees and organizers get session keys

A signed-in browser kept only an attendee's (or organizer's) id. SQLite gives a new row
max(id)+1, so after the newest attendee was deleted the next one registered got their id,
and the old phone opened the newcomer's card. Now every session also carries a random
session key, and on SQLite every table with an integer id is re-created with AUTOINCREMENT
(batch mode, foreign keys off: see env.py). PostgreSQL's sequences never reuse a value, so
there only the two columns are added.

Existing sessions end once: they carry no key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

WITH_SESSIONS = ('attendees', 'organizers')
WITH_IDS = ('events', 'organizers', 'event_roles', 'api_tokens', 'staff_invitations', 'people',
            'attendees', 'connections', 'notes', 'checkins', 'outbox', 'qr_drawings',
            'connection_removals')


def random_key_sql(dialect: str) -> str:
    """128 random bits as 32 hex digits, made by the database for every existing row."""
    if dialect == 'sqlite':
        return 'lower(hex(randomblob(16)))'
    return "replace(gen_random_uuid()::text, '-', '')"


def upgrade():
    dialect = op.get_bind().dialect.name
    for table in WITH_SESSIONS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('session_key', sa.String(length=32), nullable=True))
        op.execute(f'UPDATE {table} SET session_key = {random_key_sql(dialect)}')
    for table in WITH_IDS:
        with op.batch_alter_table(table, schema=None,
                                  recreate='always' if dialect == 'sqlite' else 'auto',
                                  table_kwargs={'sqlite_autoincrement': True}) as batch_op:
            if table in WITH_SESSIONS:
                batch_op.alter_column('session_key', existing_type=sa.String(length=32),
                                      nullable=False)


def downgrade():
    # Ids stay AUTOINCREMENT on SQLite: never reusing one is never wrong.
    for table in WITH_SESSIONS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('session_key')
