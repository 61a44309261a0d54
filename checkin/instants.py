"""Instants that arrive as text (JSON bodies, query strings): one parser, one set of bounds."""

from datetime import datetime

from checkin.errors import DomainError

MIN_YEAR, MAX_YEAR = 1970, 2200


def parse_instant(text: str, name: str) -> datetime:
    """An ISO 8601 date and time with an offset, between the years 1970 and 2200."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise DomainError("bad_time", f"{name} is not an ISO 8601 date and time.",
                          field=name) from error
    if value.tzinfo is None:
        raise DomainError("bad_time", f"{name} needs a time zone offset, e.g. +02:00 or Z.",
                          field=name)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DomainError("bad_time", f"{name} must fall between the years {MIN_YEAR} and "
                          f"{MAX_YEAR}.", field=name)
    return value
