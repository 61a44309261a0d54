"""outbox.private_parts and redacted_at: a delivered email keeps no sign-in link or note

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:40:00

Emails delivered before this have no marks saying where their secrets are, so those of
the kinds that carry one (sign-in and staff links, private notes) keep only their subject
and addresses.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

WITH_SECRETS = ('invitation', 'staff_invitation', 'followup')


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_parts', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True),
                                      nullable=True))
    outbox = sa.table('outbox', sa.column('kind', sa.String), sa.column('status', sa.String),
                      sa.column('text_body', sa.Text), sa.column('html_body', sa.Text),
                      sa.column('attachments', sa.JSON), sa.column('headers', sa.JSON),
                      sa.column('redacted_at', sa.DateTime(timezone=True)))
    op.execute(outbox.update()
               .where(outbox.c.status == 'sent', outbox.c.kind.in_(WITH_SECRETS))
               .values(text_body='[…]', html_body='', attachments=[], headers={},
                       redacted_at=datetime.now(timezone.utc)))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
        batch_op.drop_column('private_parts')
