"""Write transactions that must not interleave, reads without a transaction, and telling a busy
database from a broken one."""

import re
import time

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

from checkin.events.models import Event
from checkin.extensions import db

# PostgreSQL's codes for "try again": serialization failure, deadlock, lock not available.
RETRYABLE_PGCODES = {"40001", "40P01", "55P03"}


# What a statement must look like to run outside a transaction: a plain read. Anything else —
# a write, a lock (FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE), SELECT INTO, a sequence or a
# setting changed, a SAVEPOINT, a statement this cannot tell — begins the transaction first.
PLAIN_READ = re.compile(r"\s*(SELECT|WITH|SHOW|VALUES)\b", re.IGNORECASE)
NOT_ONLY_A_READ = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|SHARE|INTO|NEXTVAL|SETVAL|SET_CONFIG|PG_ADVISORY\w*"
    r"|PG_NOTIFY|LO_\w+)\b", re.IGNORECASE)
_verdicts: dict[str, bool] = {}  # statement → reads only (the app has a few hundred statements)


def reads_only(statement: str) -> bool:
    """Whether ``statement`` only reads, so it may run outside a transaction (no in doubt)."""
    verdict = _verdicts.get(statement)
    if verdict is None:
        verdict = bool(PLAIN_READ.match(statement)) and not NOT_ONLY_A_READ.search(statement)
        if len(_verdicts) >= 2000:  # bounded, whatever builds statements on the fly
            _verdicts.clear()
        _verdicts[statement] = verdict
    return verdict


def init_app(app: Flask) -> None:
    """PostgreSQL: read without a transaction until the first statement that writes.

    psycopg (not in autocommit) sends ``BEGIN`` as a round trip of its own before a
    connection's first statement, and a request that only read ends with a ``ROLLBACK`` round
    trip when the pool takes the connection back, which also makes psycopg forget every
    statement it had prepared on the server. So a connection leaves the pool in autocommit,
    and the first statement that is not a plain read (``reads_only``) turns autocommit off
    just before it is sent: psycopg begins the transaction there, and that write, every later
    one, every lock and savepoint are in it, committed by the use case (``db.session.commit``,
    ``commit_keeping_loaded``) or rolled back at the end of the request. Nothing is ever
    autocommitted. What ran before it were reads, each with a snapshot of its own — as in a
    READ COMMITTED transaction, where every statement takes its own snapshot too. SQLite's
    driver already works this way (it begins before the first write, not before a read).

    Left alone: a connection whose isolation level the code chose (``execution_options(
    isolation_level=…)``, e.g. REPEATABLE READ for reads that need one snapshot), and a
    server-side cursor (``yield_per``), which PostgreSQL keeps inside a transaction only.
    """
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "postgresql":
            sa_event.listen(engine.pool, "checkout", _read_without_transaction)
            sa_event.listen(engine, "before_cursor_execute", _begin_before_writing)


# An execution option: this statement is a whole use case on its own (see ``write_alone``).
ALONE = "checkin_write_alone"


def write_alone(statement) -> list:
    """Run ``statement`` — a use case's whole write in one statement, such as an ``INSERT …
    ON CONFLICT … RETURNING`` — and commit it; the rows it returns (none without RETURNING).

    PostgreSQL makes one statement atomic by itself: when nothing of this session is in a
    transaction yet, it runs in autocommit, one round trip where BEGIN, the statement and
    COMMIT were three. After another write of the session it joins that transaction and is
    committed with it, as ``db.session.commit()`` would commit both.
    """
    db.session.flush()  # what the session holds goes first, and begins the transaction
    result = db.session.connection().execute(statement.execution_options(**{ALONE: True}))
    rows = result.all() if result.returns_rows else []
    db.session.commit()
    return rows


def _read_without_transaction(dbapi_connection, _record, _proxy) -> None:
    if not dbapi_connection.autocommit:
        dbapi_connection.autocommit = True


def _begin_before_writing(connection, cursor, statement, _parameters, context, executemany):
    dbapi_connection = cursor.connection
    if not dbapi_connection.autocommit:
        return  # in its transaction already, or the code chose an isolation level
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # asked for by the code: each statement its own transaction
    if context is not None and context.execution_options.get(ALONE):
        return  # one statement that is a whole use case (write_alone)
    if executemany or not reads_only(statement) or getattr(cursor, "name", None):
        dbapi_connection.autocommit = False  # psycopg sends BEGIN before this statement


def lock_event_for_writing(event_id: int) -> None:
    """Start the write transaction now, so what it reads next cannot change before it commits.

    Call it before reading what a write depends on (is this walk-in already registered? what
    does this import add?). SQLite: ``BEGIN IMMEDIATE`` takes the database's one write lock
    before the first read (a deferred transaction would read, then race for the lock).
    PostgreSQL: the event's row is locked ``FOR NO KEY UPDATE``, which serialises writers of
    one event without blocking inserts that merely reference it (check-ins, connections).
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return

    db.session.execute(select(Event.id).where(Event.id == event_id)
                       .with_for_update(key_share=True))


def lock_community_for_writing(community_id: int) -> None:
    """``lock_event_for_writing`` for the community: whoever registers a person (matched by
    email within the community) reads and writes its people alone, so two events' sign-ups
    at once never make one member twice."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    from checkin.communities.models import Community

    db.session.execute(select(Community.id).where(Community.id == community_id)
                       .with_for_update(key_share=True))


def commit_keeping_loaded() -> None:
    """Commit, and keep every loaded object as it is rather than expire it.

    For a use case that answers from what it just read and wrote (a check-in): after a
    plain commit, the answer's first look at each object reads its row again. What the ORM
    wrote is kept as stored (each column type's cleaning and time zone applied); what was
    changed behind its back (a bulk UPDATE) must have been set on the objects first.
    """
    session = db.session()
    written = [*session.new, *session.dirty]
    session.flush()
    dialect = session.get_bind().dialect
    for instance in written:
        _as_stored(instance, dialect)
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def _as_stored(instance, dialect) -> None:
    """Set each loaded column of ``instance`` to what its type stored (and reads back)."""
    state = inspect(instance)
    for attribute in state.mapper.column_attrs:
        column_type = attribute.columns[0].type
        if isinstance(column_type, TypeDecorator) and attribute.key in state.dict:
            value = column_type.process_bind_param(state.dict[attribute.key], dialect)
            if type(column_type).process_result_value is not TypeDecorator.process_result_value:
                value = column_type.process_result_value(value, dialect)
            set_committed_value(instance, attribute.key, value)


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` means "the database is busy, try again" rather than a fault."""
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    if getattr(original, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return True
    if "database is locked" in str(original) or "database table is locked" in str(original):
        return True
    return getattr(original, "sqlstate", None) in RETRYABLE_PGCODES


def retry_when_busy(call, attempts: int = 10, wait: float = 1.0):
    """``call()``, again after ``wait`` seconds each time the database is busy (for scripts)."""
    for attempt in range(attempts):
        try:
            return call()
        except OperationalError as error:
            db.session.rollback()
            if not is_busy(error) or attempt == attempts - 1:
                raise
            time.sleep(wait)
    return None
