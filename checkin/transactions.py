"""Write transactions that must not interleave, and telling a busy database from a broken one."""

import time

from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

from checkin.events.models import Event
from checkin.extensions import db

# PostgreSQL's codes for "try again": serialization failure, deadlock, lock not available.
RETRYABLE_PGCODES = {"40001", "40P01", "55P03"}


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
