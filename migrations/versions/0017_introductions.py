"""introductions: a member introduces two of their contacts; each accepts in turn

A completed introduction is also the link between the two people (My network reads it):
they may never have been at one event, and connections are per event.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('introductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('introducer_id', sa.Integer(), nullable=True),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('second_asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('introduced_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('asking_first', 'asking_second', 'introduced', 'not_now')", name=op.f('ck_introductions_state')),
    sa.CheckConstraint('first_id <> second_id', name=op.f('ck_introductions_two_people')),
    sa.CheckConstraint('introducer_id <> first_id AND introducer_id <> second_id', name=op.f('ck_introductions_not_oneself')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_introductions_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_introductions_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['first_id'], ['people.id'], name=op.f('fk_introductions_first_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['introducer_id'], ['people.id'], name=op.f('fk_introductions_introducer_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['second_id'], ['people.id'], name=op.f('fk_introductions_second_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introductions')),
    sa.UniqueConstraint('introducer_id', 'first_id', 'second_id', name=op.f('uq_introductions_introducer_id_first_id_second_id'))
    )
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.create_index('ix_introductions_event_id', ['event_id'], unique=False)
        batch_op.create_index('ix_introductions_first_id_state', ['first_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_introducer_id'), ['introducer_id'], unique=False)
        batch_op.create_index('ix_introductions_second_id_state', ['second_id', 'state'], unique=False)



def downgrade():
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_index('ix_introductions_second_id_state')
        batch_op.drop_index(batch_op.f('ix_introductions_introducer_id'))
        batch_op.drop_index('ix_introductions_first_id_state')
        batch_op.drop_index('ix_introductions_event_id')

    op.drop_table('introductions')
