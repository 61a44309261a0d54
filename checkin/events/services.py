"""Creating, opening and closing events."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from checkin.accounts.models import Organizer, Role
from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.models import Event, EventState
from checkin.extensions import db
from checkin.text import slugify


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # "Europe" is a folder
        raise DomainError("bad_timezone", f"Unknown time zone: {name!r}.") from error
    return name


def unique_slug(wanted: str) -> str:
    base = slugify(wanted)
    slug, n = base, 1
    while db.session.scalar(select(Event.id).filter_by(slug=slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_event(
    owner: Organizer | None,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    slug: str | None = None,
    venue: str = "",
    default_language: str = "en",
    walk_ins_allowed: bool = False,
) -> Event:
    """A new draft event, owned by ``owner``. A given slug must be free; else one is made."""
    from checkin.accounts.services import grant_role, require_event_runner

    if owner is not None:
        require_event_runner(owner)
    name = (name or "").strip()
    if not name:
        raise DomainError("bad_name", "The event needs a name.")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise DomainError("bad_time", "Start and end need a time zone offset.")
    if ends_at <= starts_at:
        raise DomainError("bad_time", "The event must end after it starts.")
    if default_language not in ("en", "es"):
        raise DomainError("bad_language", "The language must be en or es.")
    if slug:
        if slugify(slug) != slug:
            raise DomainError("bad_slug", "A slug uses only a-z, 0-9 and hyphens.")
        if db.session.scalar(select(Event.id).filter_by(slug=slug)) is not None:
            raise DomainError("slug_taken", f"The slug {slug!r} is taken.", status=409)
    event = Event(
        name=name,
        slug=slug or unique_slug(name),
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=check_timezone(timezone),
        venue=venue.strip(),
        default_language=default_language,
        walk_ins_allowed=walk_ins_allowed,
        state=EventState.DRAFT.value,
    )
    db.session.add(event)
    db.session.flush()
    if owner is not None:
        grant_role(owner, event, Role.OWNER)
    db.session.commit()
    return event


def open_event(event: Event) -> Event:
    if event.state == EventState.CLOSED:
        raise DomainError("event_closed", "This event is closed.", status=409)
    event.state = EventState.OPEN.value
    db.session.commit()
    return event


def close_event(event: Event) -> Event:
    """Close the event: from now on no connection or note can be made."""
    if event.state != EventState.CLOSED:
        event.state = EventState.CLOSED.value
        event.closed_at = now_utc()
        db.session.commit()
    return event


def reopen_event(event: Event) -> Event:
    """Open a closed event again (an owner closed it too early): connections and notes can
    be made again. Follow-ups already queued or sent are never sent again
    (the outbox keeps one per kind, event and recipient); the others go out on the next send.
    """
    if event.state != EventState.CLOSED:
        raise DomainError("not_closed", _l("Only a closed event can be reopened."), status=409)
    event.state = EventState.OPEN.value
    event.closed_at = None
    db.session.commit()
    return event


def require_open(event: Event) -> None:
    """Refuse a change that only an event not yet closed accepts."""
    if event.state == EventState.CLOSED:
        raise DomainError("event_closed", "This event is closed: nothing more can be added.",
                          status=409)


def get_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).filter_by(slug=slug))
    if event is None:
        raise DomainError("not_found", "No such event.", status=404)
    return event
