"""Write transactions that must not interleave, and telling a busy database from a broken one."""

import time

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

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
