"""The API blueprint: bearer authentication, JSON bodies, pagination, the event lookup."""

from datetime import datetime

from flask import Blueprint, g, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from checkin.accounts.models import Role
from checkin.accounts.services import (
    EventAtDoor,
    event_and_role_for,
    organizer_for_token,
    role_in,
    token_and_event_for,
)
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.inputs import json_object
from checkin.instants import parse_instant

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 200
# Who may scan at an event's door: its owners and its door staff.
DOOR_ROLES = (Role.OWNER, Role.DOOR)
PUBLIC_ENDPOINTS = {"api.openapi"}
# An attendee's own endpoints (checkin.api.requests): their phone's session cookie signs them
# in, never an organizer's token.
ATTENDEE_ENDPOINTS: set[str] = set()


# Routes that look their token up together with their event, in one statement (the check-in,
# which a door sends all evening): authenticate leaves the token to api_event_with_token.
TOKEN_WITH_EVENT_ENDPOINTS = {"api.create_checkin"}


@bp.before_request
def authenticate():
    """Every route but the OpenAPI document needs ``Authorization: Bearer <token>``."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint in ATTENDEE_ENDPOINTS:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip() if scheme.lower() == "bearer" else ""
    if secret and request.endpoint in TOKEN_WITH_EVENT_ENDPOINTS:
        g.api_secret = secret
        return
    organizer = organizer_for_token(secret) if secret else None
    if organizer is None:
        raise unauthorized()
    g.api_organizer = organizer


def unauthorized() -> DomainError:
    return DomainError("unauthorized", _l("A valid API token is needed: "
                                          "Authorization: Bearer <token>."), status=401)


@bp.after_request
def challenge(response):
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return response


def api_event(slug: str, door: bool = False) -> Event:
    """The event ``slug`` if the token's organizer owns it (or, with ``door``, staffs it)."""
    if "\x00" in slug or len(slug) > 64:
        raise DomainError("not_found", _l("No such event."), status=404)
    roles = DOOR_ROLES if door else (Role.OWNER,)
    event, role = event_and_role_for(g.api_organizer, slug, roles=roles)
    g.api_role = (event.id, role)
    return event


def api_event_with_token(slug: str, door: bool = False) -> tuple[EventAtDoor, int]:
    """:func:`api_event` for a route of ``TOKEN_WITH_EVENT_ENDPOINTS``, with the token looked
    up in the same statement: what a scan reads of the event, and the organizer's id."""
    roles = DOOR_ROLES if door else (Role.OWNER,)
    found = token_and_event_for(api_token(), token_slug(slug), roles=roles)
    if found is None:
        raise unauthorized()
    organizer_id, event, role = found
    g.api_role = (event.id, role)
    return event, organizer_id


def api_token() -> str:
    """The bearer token of a route of ``TOKEN_WITH_EVENT_ENDPOINTS``, not yet looked up."""
    return g.api_secret


def token_slug(slug: str) -> str:
    """The slug a token is looked up with: an unusable one names no event, so the token alone
    decides between 401 and 404."""
    return slug if "\x00" not in slug and len(slug) <= 64 else ""


def api_role(event: Event) -> str | None:
    """The token's organizer's role at ``event``, as :func:`api_event` found it."""
    event_id, role = getattr(g, "api_role", (None, None))
    return role if event_id == event.id else role_in(g.api_organizer, event)


def body() -> dict:
    """The request's JSON object, or a 400 refusal."""
    return json_object()


def field(data: dict, name: str, kind: type | tuple, required: bool = False, default=None,
          max_length: int | None = None):
    """One field of a JSON body, checked for its type (and length, for strings)."""
    if name not in data or data[name] is None:
        if required:
            raise DomainError("missing_field", _l("%(name)s is required.", name=name), field=name)
        return default
    value = data[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        names = " or ".join(k.__name__.replace("str", "string") for k in kinds)
        raise DomainError("bad_field", _l("%(name)s must be a %(kind)s.", name=name, kind=names),
                          field=name)
    if isinstance(value, str):
        if "\x00" in value:
            raise DomainError("bad_field", _l("%(name)s holds a NUL character.", name=name),
                              field=name)
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            raise DomainError("bad_field", _l("%(name)s is longer than %(n)d characters.",
                                                 name=name, n=max_length), field=name)
        if required and not value:
            raise DomainError("missing_field", _l("%(name)s is required.", name=name), field=name)
    return value


def instant(data: dict, name: str, required: bool = False) -> datetime | None:
    """An ISO 8601 date and time with an offset, from a JSON body."""
    text = field(data, name, str, required=required)
    return parse_instant(text, name) if text else None


def query_text(name: str, max_length: int = 200) -> str:
    """A text query parameter, without NUL characters (no database stores them)."""
    return request.args.get(name, "").replace("\x00", "")[:max_length]


def page_args() -> tuple[int, int]:
    page = _positive_int("page", 1)
    per_page = _positive_int("per_page", 50)
    if per_page > MAX_PER_PAGE:
        raise DomainError("bad_parameter", _l("per_page is at most %(n)d.", n=MAX_PER_PAGE),
                          field="per_page")
    return page, per_page


def _positive_int(name: str, default: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 10**9:
        raise DomainError("bad_parameter", _l("%(name)s must be a whole number from 1.",
                                                   name=name), field=name)
    return int(text)


def paginated(query, serialize, endpoint: str, **values) -> dict:
    """One page of ``query`` as ``{"items", "page", "per_page", "total", "next"}``."""
    page, per_page = page_args()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    more = page * per_page < total
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page", *values)}
    return {
        "items": [serialize(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
        "next": url_for(endpoint, **values, **args, page=page + 1, per_page=per_page)
        if more else None,
    }


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
