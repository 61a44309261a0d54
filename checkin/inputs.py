"""What a request may carry: ids that fit a database integer, JSON nested to a sane depth, and a
``next=`` that stays on this site. Anything else is a 4xx with a clear message, never a 500."""

import unicodedata

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from checkin.errors import DomainError
from checkin.text import is_local_path

# The largest id an id column holds (PostgreSQL's integer; SQLite's is wider): a larger number
# is no row, and asking the database for one fails (SQLite: OverflowError, PostgreSQL: "integer
# out of range").
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number too large to be an id matches no page (404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def database_id(text: str) -> int:
    """A whole number from a query or a form that can be an id or a page: 1 to MAX_ID.

    Use as ``request.args.get("page", 1, type=database_id)``: anything else gives the default.
    """
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise ValueError(f"not an id: {text!r}")
    return int(text)


class JSONProvider(DefaultJSONProvider):
    """JSON bodies nested deeper than Python can parse are malformed (400), not a crash."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


def json_object() -> dict:
    """The request's JSON body as an object, or a ``bad_json`` refusal (400)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("bad_json", _l("The body must be a JSON object."))
    return data


def next_target(target: str | None, default: str) -> str:
    """Where a form sends the browser afterwards: ``target`` if it is a path on this site,
    else ``default``. A control character is never in a link we made: refused (400)."""
    if not target:
        return default
    if any(unicodedata.category(char) == "Cc" for char in target):
        raise DomainError("bad_next", _l("This link’s return address is not valid."),
                          status=400)
    return target if is_local_path(target) else default


def init_app(app: Flask) -> None:
    """Before any blueprint adds its routes, so every ``<int:…>`` is an IdConverter."""
    app.url_map.converters["int"] = IdConverter
    app.json = JSONProvider(app)
