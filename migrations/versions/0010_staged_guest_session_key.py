"""guestlist_staged.session_key: each imported guest gets a session key of their own

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('guestlist_staged', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_key', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('guestlist_staged', schema=None) as batch_op:
        batch_op.drop_column('session_key')
