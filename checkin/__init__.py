"""checkin: event check-in and card exchange. ``create_app`` builds the Flask app."""

import logging
import sqlite3
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

from checkin.writers import WriterQueueConnection

ROOT = Path(__file__).resolve().parent.parent
# How long a connection waits for SQLite's write lock before "database is locked": a web
# request then answers 503 (try again); the CLI waits longer (see checkin.cli).
SQLITE_BUSY_TIMEOUT_MS = 10_000
# SQLite copies the WAL back into the database (a checkpoint: two fsyncs, and a third when
# the next writer starts the WAL over) from inside the commit that takes it past this many
# pages. Its default, 1,000, meant a checkpoint every ~80 check-ins of ~13 pages each;
# 4,000 (16 MB, the WAL's bound) makes them a quarter as frequent, each copying little more
# since every check-in rewrites the same pages (the figures, the indexes' last leaves).
# Durability is unchanged: a commit is in the WAL, and a killed process loses nothing.
SQLITE_WAL_CHECKPOINT_PAGES = 4_000


@sa_event.listens_for(Engine, "do_connect")
def _sqlite_writers_queue(dialect, _record, _cargs, cparams):
    """SQLite: connections whose writers wait their turn in a queue (``checkin.writers``)."""
    if dialect.name == "sqlite":
        cparams.setdefault("factory", WriterQueueConnection)


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: WAL so readers never wait for the writer, foreign keys enforced."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_CHECKPOINT_PAGES}")
        if isinstance(dbapi_connection, WriterQueueConnection):
            path = cursor.execute("PRAGMA database_list").fetchone()[2]
            dbapi_connection.queue_for(path, int(SQLITE_BUSY_TIMEOUT_MS))
        cursor.close()


# A database server (or a firewall between) drops connections left idle for minutes; one idle
# this long is tested before a request gets it. Pinging every checkout (pool_pre_ping) cost a
# round trip on every request; a connection in steady use is known to be alive.
IDLE_PING_AFTER_S = 10


@sa_event.listens_for(Pool, "checkin")
def _idle_since(_dbapi_connection, record):
    record.info["idle_since"] = time.monotonic()


@sa_event.listens_for(Pool, "checkout")
def _ping_when_idle(dbapi_connection, record, _proxy):
    """Idle long enough to have been dropped: ping; a dead one makes the pool connect anew."""
    idle_since = record.info.pop("idle_since", None)
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_AFTER_S \
            or isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as error:
        raise DisconnectionError("the idle connection was dropped") from error


def create_app(settings: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app; ``settings`` override what the environment says (tests use this)."""
    # Cycle guard (checkin -> every domain -> checkin): each domain module lives inside this
    # package, so importing any of them runs this file first; importing them all up here
    # would load the whole app for `import checkin.columns` and hand half-made modules around.
    from checkin import (
        accounts,
        api,
        bodylimit,
        communities,
        connections,
        console,
        cookies,
        demo,
        door,
        errors_web,
        events,
        faces,
        followups,
        guestlists,
        i18n,
        inputs,
        introductions,
        mail,
        meeting_requests,
        members,
        models,  # noqa: F401  (the whole schema, for Alembic)
        people,
        qr,
        security,
        site,
        transactions,
    )
    from checkin.columns import render_migration_type
    from checkin.config import load_settings
    from checkin.extensions import csrf, db, migrate

    app = Flask(
        __name__,
        instance_path=instance_path or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_settings(Path(app.instance_path)))
    app.config.update(settings or {})
    logging.getLogger("checkin").setLevel(logging.INFO)

    inputs.init_app(app)  # first: the blueprints' routes use its id converter
    db.init_app(app)
    transactions.init_app(app)  # PostgreSQL: reads outside a transaction, writes inside one
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=render_migration_type)
    cookies.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    bodylimit.init_app(app)
    errors_web.init_app(app)
    for domain in (site, accounts, communities, events, people, faces, connections, door,
                   console, api, mail, qr, followups, guestlists, members, introductions,
                   meeting_requests,
                   demo):
        domain.init_app(app)
    return app
