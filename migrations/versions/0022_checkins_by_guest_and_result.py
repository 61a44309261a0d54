"""checkins: a guest's entries and exits that let them through, found from one index

A repeated scan answers with the guest's latest entry (and the door shows when they last
left): with the log indexed by guest and time alone, finding it read every refused repeat
of that guest first.

Revision ID: 0022
Revises: 0021 (perfdash's 0021 landed first)
Create Date: 2026-12-01 19:30:00

"""
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


# Plain statements, not a batch: SQLite's batch mode may copy the table, and the copy would
# lose 0021's triggers.
def upgrade():
    op.create_index('ix_checkins_attendee_id_kind_result_scanned_at', 'checkins',
                    ['attendee_id', 'kind', 'result', 'scanned_at'], unique=False)


def downgrade():
    op.drop_index('ix_checkins_attendee_id_kind_result_scanned_at', table_name='checkins')
