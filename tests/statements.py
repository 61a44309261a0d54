"""The SQL statements a block of code runs, counted where a test holds a count (issue 14)."""

import contextlib

from sqlalchemy import event as sa_event

from checkin.extensions import db


class Statements(list):
    """The SQL of each statement run, in order, its whitespace collapsed to single spaces;
    ``parameters[i]`` is what statement ``i`` was sent with. BEGIN, COMMIT and ROLLBACK are the
    driver's, not statements here."""

    def __init__(self):
        super().__init__()
        self.parameters = []


@contextlib.contextmanager
def statements_run():
    """``with statements_run() as seen:`` — ``seen`` holds every statement the block runs."""
    seen = Statements()

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append(" ".join(statement.split()))
        seen.parameters.append(parameters)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
