"""Column types and defaults shared by every domain's models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.types import TypeDecorator

from checkin.text import clean_text


def now_utc() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """An instant: stored in UTC, always returned timezone-aware.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    tagged as UTC on the way out; PostgreSQL stores a timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for an instant column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(column: str, values) -> str:
    """A CHECK that ``column`` holds one of ``values``: ``language IN ('en', 'es')``."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


class CleanLine(TypeDecorator):
    """One line a person typed (a name, a ticket type), stored clean: no control characters
    (NUL breaks PostgreSQL, ESC paints terminals) and no bidi overrides (text that displays as
    something else). It applies on every write, ORM or bulk insert, so no path can skip it."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else clean_text(value, single_line=True)


class CleanText(TypeDecorator):
    """Free text a person typed (a pitch, a note): cleaned like CleanLine, newlines kept."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else clean_text(value)


def render_migration_type(type_, obj, autogen_context):
    """Alembic: write our column types into migrations as the plain types they store."""
    if isinstance(type_, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(type_, CleanLine):
        return f"sa.String(length={type_.impl.length})"
    if isinstance(type_, CleanText):
        return "sa.Text()"
    return False
