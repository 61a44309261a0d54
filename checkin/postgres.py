"""psycopg's cursors as the app uses them: a result's column descriptions made when read."""

from collections.abc import Sequence

import psycopg
from flask import Flask
from psycopg import Column
from psycopg.pq import ExecStatus
from sqlalchemy import event as sa_event

from checkin.extensions import db

_HAS_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class Description(Sequence):
    """``cursor.description`` of one result: a ``psycopg.Column`` per column, each made from
    that result when the description is first read, not as the statement returns.

    SQLAlchemy asks every statement's cursor for its description, but for a statement it has
    run before it only looks at whether there is one (the columns are known from the first
    run). psycopg made a ``Column`` per column each time: 34 of them, about 50 µs of CPU, for
    the card page's one row. This holds the result, so the columns describe it even if the
    cursor has run another statement since, as psycopg's own list does.
    """

    __slots__ = ("_adapters", "_columns", "_encoding", "pgresult")

    def __init__(self, cursor: psycopg.Cursor):
        # What psycopg.Column reads of the cursor that ran the statement, kept as it was.
        self.pgresult, self._encoding, self._adapters = \
            cursor.pgresult, cursor._encoding, cursor.adapters
        self._columns: list[Column] | None = None

    @property
    def adapters(self):
        return self._adapters

    def _made(self) -> list[Column]:
        if self._columns is None:
            self._columns = [Column(self, i) for i in range(self.pgresult.nfields)]
        return self._columns

    def __len__(self) -> int:
        return self.pgresult.nfields

    def __getitem__(self, index):
        return self._made()[index]

    def __iter__(self):
        return iter(self._made())

    def __repr__(self) -> str:
        return repr(self._made())


class Cursor(psycopg.Cursor):
    """psycopg's client cursor, with its description made on demand (``Description``)."""

    __slots__ = ()

    @property
    def description(self) -> Description | None:
        result = self.pgresult
        if result and (result.nfields or result.status in _HAS_ROWS):
            return Description(self)
        return None


def init_app(app: Flask) -> None:
    """Every PostgreSQL connection of the app's engines makes its cursors with ``Cursor``."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "postgresql":
            sa_event.listen(engine, "connect", _describe_on_demand)


def _describe_on_demand(dbapi_connection, _record) -> None:
    dbapi_connection.cursor_factory = Cursor
