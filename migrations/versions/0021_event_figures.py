"""event_figures and event_arrivals: the dashboard's figures kept by the database as rows change

Triggers keep one row of figures per event and one row of first check-ins per event and
minute, on every write to events, attendees, checkins and connections (a scan, an undo, an
import's bulk insert, a removal and the rows its cascades delete), so the live dashboard reads a
handful of rows instead of counting 10,000 guests and 50,000 connections. Existing events get
their figures counted once here.

A later migration that re-creates attendees, checkins or connections (SQLite's batch mode
copies a table and drops the old one, triggers and all) must create their triggers again:
``create_triggers`` below, as it was written with this migration.

Revision ID: 0021
Revises: 0016
Create Date: 2026-12-01 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0016'
branch_labels = None
depends_on = None

FIGURES = ('registered', 'invited', 'checked_in', 'inside', 'walk_ins', 'scans', 'connections')


def _minute(dialect, row):
    """Minutes since 1970 (UTC) of ``row``'s checked_in_at, in ``dialect``."""
    if dialect == 'postgresql':
        return f"floor(extract(epoch FROM {row}.checked_in_at) / 60)::integer"
    return f"CAST(strftime('%s', {row}.checked_in_at) AS INTEGER) / 60"


def _guest(dialect, row):
    """What one guest adds to each of their event's figures, as SQL integers."""
    if dialect == 'postgresql':
        return {'registered': '1', 'invited': f'({row}.invited_at IS NOT NULL)::integer',
                'checked_in': f'({row}.checked_in_at IS NOT NULL)::integer',
                'inside': f'({row}.inside)::integer',
                'walk_ins': f"({row}.source = 'walk_in')::integer"}
    return {'registered': '1', 'invited': f'({row}.invited_at IS NOT NULL)',
            'checked_in': f'({row}.checked_in_at IS NOT NULL)',
            'inside': f'({row}.inside = 1)', 'walk_ins': f"({row}.source = 'walk_in')"}


def _add_guest(dialect, row, sign):
    terms = ', '.join(f'{name} = {name} {sign} {value}'
                      for name, value in _guest(dialect, row).items())
    return f'UPDATE event_figures SET {terms} WHERE event_id = {row}.event_id;'


def _guest_changed(dialect):
    """One UPDATE of the figures for a guest whose state changed within one event."""
    new, old = _guest(dialect, 'NEW'), _guest(dialect, 'OLD')
    terms = ', '.join(f'{name} = {name} + {new[name]} - {old[name]}'
                      for name in ('invited', 'checked_in', 'inside', 'walk_ins'))
    return f'UPDATE event_figures SET {terms} WHERE event_id = NEW.event_id;'


def _arrival_added(dialect, row):
    minute = _minute(dialect, row)
    if dialect == 'postgresql':  # a guest not checked in skips the statement altogether
        return (f'IF {row}.checked_in_at IS NOT NULL THEN '
                f'INSERT INTO event_arrivals (event_id, minute, arrivals) '
                f'VALUES ({row}.event_id, {minute}, 1) ON CONFLICT (event_id, minute) '
                f'DO UPDATE SET arrivals = event_arrivals.arrivals + 1; END IF;')
    return (f'INSERT INTO event_arrivals (event_id, minute, arrivals) '
            f'SELECT {row}.event_id, {minute}, 1 WHERE {row}.checked_in_at IS NOT NULL '
            f'ON CONFLICT (event_id, minute) DO UPDATE SET arrivals = arrivals + 1;')


def _arrival_removed(dialect, row):
    removed = 'UPDATE event_arrivals SET arrivals = arrivals - 1 WHERE'
    where = f'event_id = {row}.event_id AND minute = {_minute(dialect, row)};'
    if dialect == 'postgresql':
        return f'IF {row}.checked_in_at IS NOT NULL THEN {removed} {where} END IF;'
    return f'{removed} {row}.checked_in_at IS NOT NULL AND {where}'


def _count(column, sign, row):
    return f'UPDATE event_figures SET {column} = {column} {sign} 1 WHERE event_id = {row}.event_id;'


def _new_event():
    columns = ', '.join(FIGURES)
    zeros = ', '.join('0' for _ in FIGURES)
    return f'INSERT INTO event_figures (event_id, {columns}) VALUES (NEW.id, {zeros});'


def triggers(dialect):
    """(name, table, when, condition, body) of every trigger; ``when`` as in CREATE TRIGGER."""
    distinct = 'IS DISTINCT FROM' if dialect == 'postgresql' else 'IS NOT'
    same_event = 'OLD.event_id = NEW.event_id'
    # A figure moves when a time is set or cleared, or ``inside`` or ``source`` changes.
    figure_moved = ('((OLD.invited_at IS NULL) <> (NEW.invited_at IS NULL) '
                    'OR (OLD.checked_in_at IS NULL) <> (NEW.checked_in_at IS NULL) '
                    'OR OLD.inside <> NEW.inside OR OLD.source <> NEW.source)')
    return [
        ('event_figures_event_added', 'events', 'INSERT', None, [_new_event()]),
        ('event_figures_guest_added', 'attendees', 'INSERT', None,
         [_add_guest(dialect, 'NEW', '+'), _arrival_added(dialect, 'NEW')]),
        ('event_figures_guest_removed', 'attendees', 'DELETE', None,
         [_add_guest(dialect, 'OLD', '-'), _arrival_removed(dialect, 'OLD')]),
        ('event_figures_guest_changed', 'attendees',
         'UPDATE OF invited_at, checked_in_at, inside, source',
         f'{same_event} AND {figure_moved}', [_guest_changed(dialect)]),
        ('event_arrivals_guest_changed', 'attendees', 'UPDATE OF checked_in_at',
         f'{same_event} AND OLD.checked_in_at {distinct} NEW.checked_in_at',
         [_arrival_removed(dialect, 'OLD'), _arrival_added(dialect, 'NEW')]),
        ('event_figures_guest_moved', 'attendees', 'UPDATE OF event_id',
         'OLD.event_id <> NEW.event_id',
         [_add_guest(dialect, 'OLD', '-'), _arrival_removed(dialect, 'OLD'),
          _add_guest(dialect, 'NEW', '+'), _arrival_added(dialect, 'NEW')]),
        ('event_figures_scan_added', 'checkins', 'INSERT', None, [_count('scans', '+', 'NEW')]),
        ('event_figures_scan_removed', 'checkins', 'DELETE', None,
         [_count('scans', '-', 'OLD')]),
        ('event_figures_connection_added', 'connections', 'INSERT', None,
         [_count('connections', '+', 'NEW')]),
        ('event_figures_connection_removed', 'connections', 'DELETE', None,
         [_count('connections', '-', 'OLD')]),
    ]


def create_triggers(connection):
    dialect = connection.dialect.name
    for name, table, when, condition, body in triggers(dialect):
        if dialect == 'postgresql':
            statements = '\n  '.join(body)
            connection.exec_driver_sql(
                f'CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n'
                f'BEGIN\n  {statements}\n  RETURN NULL;\nEND $$')
            where = f' WHEN ({condition})' if condition else ''
            connection.exec_driver_sql(
                f'CREATE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW{where} '
                f'EXECUTE FUNCTION {name}()')
        else:
            where = f' WHEN {condition}' if condition else ''
            statements = '\n  '.join(body)
            connection.exec_driver_sql(
                f'CREATE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW{where}\n'
                f'BEGIN\n  {statements}\nEND')


def drop_triggers(connection):
    dialect = connection.dialect.name
    for name, table, *_rest in triggers(dialect):
        if dialect == 'postgresql':
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS {name} ON {table}')
            connection.exec_driver_sql(f'DROP FUNCTION IF EXISTS {name}()')
        else:
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS {name}')


def _count_existing(connection):
    """Every existing event's figures and arrivals, counted once."""
    dialect = connection.dialect.name
    connection.exec_driver_sql(
        'INSERT INTO event_figures (event_id, registered, invited, checked_in, inside, '
        'walk_ins, scans, connections) '
        'SELECT events.id, '
        '(SELECT count(*) FROM attendees WHERE attendees.event_id = events.id), '
        '(SELECT count(invited_at) FROM attendees WHERE attendees.event_id = events.id), '
        '(SELECT count(checked_in_at) FROM attendees WHERE attendees.event_id = events.id), '
        '(SELECT count(*) FROM attendees WHERE attendees.event_id = events.id '
        'AND attendees.inside), '
        "(SELECT count(*) FROM attendees WHERE attendees.event_id = events.id "
        "AND attendees.source = 'walk_in'), "
        '(SELECT count(*) FROM checkins WHERE checkins.event_id = events.id), '
        '(SELECT count(*) FROM connections WHERE connections.event_id = events.id) '
        'FROM events')
    minute = _minute(dialect, 'attendees')
    connection.exec_driver_sql(
        f'INSERT INTO event_arrivals (event_id, minute, arrivals) '
        f'SELECT event_id, {minute}, count(*) FROM attendees '
        f'WHERE checked_in_at IS NOT NULL GROUP BY event_id, {minute}')


def upgrade():
    op.create_table('event_figures',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('invited', sa.Integer(), nullable=False),
    sa.Column('checked_in', sa.Integer(), nullable=False),
    sa.Column('inside', sa.Integer(), nullable=False),
    sa.Column('walk_ins', sa.Integer(), nullable=False),
    sa.Column('scans', sa.Integer(), nullable=False),
    sa.Column('connections', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_figures_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_figures'))
    )
    op.create_table('event_arrivals',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('minute', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('arrivals', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_arrivals_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'minute', name=op.f('pk_event_arrivals'))
    )
    connection = op.get_bind()
    _count_existing(connection)
    create_triggers(connection)


def downgrade():
    drop_triggers(op.get_bind())
    op.drop_table('event_arrivals')
    op.drop_table('event_figures')
