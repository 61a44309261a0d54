"""connection_removals: a person removes a connection they do not recognise

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('connection_removals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('remover_id', sa.Integer(), nullable=False),
    sa.Column('removed_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_connection_removals_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['remover_id'], ['attendees.id'], name=op.f('fk_connection_removals_remover_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_id'], ['attendees.id'], name=op.f('fk_connection_removals_removed_id_attendees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_removals')),
    sa.UniqueConstraint('remover_id', 'removed_id', name=op.f('uq_connection_removals_remover_id_removed_id'))
    )
    with op.batch_alter_table('connection_removals', schema=None) as batch_op:
        batch_op.create_index('ix_connection_removals_removed_id', ['removed_id'], unique=False)


def downgrade():
    with op.batch_alter_table('connection_removals', schema=None) as batch_op:
        batch_op.drop_index('ix_connection_removals_removed_id')
    op.drop_table('connection_removals')
