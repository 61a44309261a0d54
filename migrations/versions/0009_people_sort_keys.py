"""people.name_key, people.company_key: names sort as people read them ("Álvaro" before "Zoe")

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:30:00

"""
import unicodedata
import re

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _fold(text):
    # A copy of checkin.text.fold as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()[:120]


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=120), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('company_key', sa.String(length=120), server_default='',
                                      nullable=False))
    people = sa.table('people', sa.column('id', sa.Integer), sa.column('display_name'),
                      sa.column('company'), sa.column('name_key'), sa.column('company_key'))
    connection = op.get_bind()
    rows = connection.execute(sa.select(people.c.id, people.c.display_name,
                                        people.c.company)).all()
    for start in range(0, len(rows), 1000):
        connection.execute(
            people.update().where(people.c.id == sa.bindparam('person_id'))
            .values(name_key=sa.bindparam('name'), company_key=sa.bindparam('company_name')),
            [{'person_id': row.id, 'name': _fold(row.display_name),
              'company_name': _fold(row.company)} for row in rows[start:start + 1000]])


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('company_key')
        batch_op.drop_column('name_key')
