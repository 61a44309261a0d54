"""attempt_backoffs: sign-in failures slow one account from one address, never lock it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt_backoffs',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_attempt_backoffs'))
    )
    with op.batch_alter_table('attempt_backoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_backoffs_retry_at'), ['retry_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('attempt_backoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_backoffs_retry_at'))
    op.drop_table('attempt_backoffs')
