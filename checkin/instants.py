"""Instants that arrive as text (JSON bodies, query strings): one parser, one set of bounds."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from checkin.errors import DomainError

MIN_YEAR, MAX_YEAR = 1970, 2200


def parse_instant(text: str, name: str) -> datetime:
    """An ISO 8601 date and time with an offset, between the years 1970 and 2200."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise DomainError("bad_time", _l("%(name)s is not an ISO 8601 date and time.",
                                          name=name), field=name) from error
    if value.tzinfo is None:
        raise DomainError("bad_time", _l("%(name)s needs a time zone offset, e.g. +02:00 or Z.",
                                          name=name), field=name)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DomainError("bad_time", _l("%(name)s must fall between the years %(first)d and "
                                          "%(last)d.", name=name, first=MIN_YEAR, last=MAX_YEAR),
                          field=name)
    return value
