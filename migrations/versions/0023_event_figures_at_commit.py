"""event_figures on PostgreSQL: the triggers that write an event's figures run as it commits

0021's triggers updated the event's one row of figures (and the minute's arrivals row) inside
the statement that changed a figure, so that row stayed locked from a check-in's first write to
its commit, two or three round trips later: one event's check-ins committed one after another,
and a check-in crossing an import's swap into the same event could deadlock. On PostgreSQL
they are now constraint triggers, DEFERRABLE INITIALLY DEFERRED: each one still runs once per
row changed, with that row's OLD and NEW (its WHEN is still decided at once), but when the
transaction commits, so the figures' rows are locked only while it commits. Nothing reads the
figures in a transaction after writing them (the dashboard, the overview and the stats are
reads of their own). A guest added to an event that the same transaction then deletes must
not add an arrival to it at commit: an arrival is written only while the event's figures row
exists, and it is locked first, so every writer of an event's rows locks them in one order.

A new event's figures row is still inserted at once (nobody else writes it yet). SQLite has
one writer at a time: its triggers stay as 0021 made them.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 22:30:00

"""
import importlib.util
from pathlib import Path

from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def _figures_0021():
    path = Path(__file__).with_name('0021_event_figures.py')
    spec = importlib.util.spec_from_file_location('migration_0021_event_figures', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AT_ONCE = {'event_figures_event_added'}


def _at_commit(name, body):
    """0021's body for trigger ``name``, as it runs at commit (see the module's docstring)."""
    if name == 'event_arrivals_guest_changed':
        lock = 'PERFORM 1 FROM event_figures WHERE event_id = NEW.event_id FOR NO KEY UPDATE;'
        return [lock, 'IF FOUND THEN', *body, 'END IF;']
    if name in ('event_figures_guest_added', 'event_figures_guest_moved'):
        # The last statement adds the arrival, after the UPDATE of the figures it follows.
        return [*body[:-1], f'IF FOUND THEN {body[-1]} END IF;']
    return body


def create_triggers(connection):
    """Every trigger that keeps the figures, as of this revision."""
    figures = _figures_0021()
    if connection.dialect.name != 'postgresql':
        figures.create_triggers(connection)
        return
    for name, table, when, condition, body in figures.triggers('postgresql'):
        deferred = name not in AT_ONCE
        if deferred:
            body = _at_commit(name, body)
        statements = '\n  '.join(body)
        connection.exec_driver_sql(
            f'CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n'
            f'BEGIN\n  {statements}\n  RETURN NULL;\nEND $$')
        where = f' WHEN ({condition})' if condition else ''
        kind = 'CONSTRAINT TRIGGER' if deferred else 'TRIGGER'
        timing = ' DEFERRABLE INITIALLY DEFERRED' if deferred else ''
        connection.exec_driver_sql(
            f'CREATE {kind} {name} AFTER {when} ON {table}{timing} FOR EACH ROW{where} '
            f'EXECUTE FUNCTION {name}()')


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name != 'postgresql':
        return
    _figures_0021().drop_triggers(connection)
    create_triggers(connection)


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name != 'postgresql':
        return
    figures = _figures_0021()
    figures.drop_triggers(connection)
    figures.create_triggers(connection)
