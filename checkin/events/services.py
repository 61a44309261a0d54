"""Creating, changing, opening and closing events."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from checkin.accounts.models import Organizer, Role
from checkin.accounts.services import give_role, require_event_runner
from checkin.columns import now_utc
from checkin.communities.models import Community
from checkin.communities.services import community_of_organizer, new_community
from checkin.errors import DomainError
from checkin.events.models import Event, EventState
from checkin.extensions import db
from checkin.i18n import LANGUAGES
from checkin.mail.services import reschedule
from checkin.text import slugify

EVENT_FIELDS = ("name", "slug", "starts_at", "ends_at", "timezone", "venue", "default_language",
                "walk_ins_allowed", "reminder_hours_before")
# When the reminder may go: 2 hours, a day, two days or a week before the start (or never).
REMINDER_HOURS = (2, 24, 48, 168)
REMINDER_KIND = "reminder"  # the outbox kind of the reminders (people.invitations)


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # "Europe" is a folder
        raise DomainError("bad_timezone", _l("Unknown time zone."), field="timezone") from error
    return name


def unique_slug(wanted: str) -> str:
    base = slugify(wanted)
    slug, n = base, 1
    while db.session.scalar(select(Event.id).filter_by(slug=slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def checked_settings(settings: dict, event: Event | None = None) -> dict:
    """``settings`` of a new event (or the changes to ``event``), cleaned; else a refusal.

    The one check of an event's fields, shared by creating and changing: a name, an end
    after the start (both with an offset), a known time zone and language, and a slug that
    is well formed, free, and (once the event is open) unchanged.
    """
    unknown = set(settings) - set(EVENT_FIELDS)
    if unknown:
        raise DomainError("bad_field", _l("Unknown field: %(names)s.",
                                          names=", ".join(sorted(unknown))))
    settings = dict(settings)
    if "name" in settings or event is None:
        settings["name"] = (settings.get("name") or "").strip()
        if not settings["name"]:
            raise DomainError("bad_name", _l("The event needs a name."), field="name")
    if settings.get("slug") and (event is None or settings["slug"] != event.slug):
        _check_new_slug(settings["slug"], event)
    else:
        settings.pop("slug", None)
    starts_at = settings.get("starts_at", event.starts_at if event else None)
    ends_at = settings.get("ends_at", event.ends_at if event else None)
    if starts_at is None or ends_at is None or starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise DomainError("bad_time", _l("Start and end need a time zone offset."),
                          field="starts_at")
    if ends_at <= starts_at:
        raise DomainError("bad_time", _l("The event must end after it starts."), field="ends_at")
    if "timezone" in settings or event is None:
        settings["timezone"] = check_timezone(settings.get("timezone") or "")
    if "default_language" in settings and settings["default_language"] not in LANGUAGES:
        raise DomainError("bad_language", _l("The language must be English or Spanish."),
                          field="default_language")
    if "venue" in settings:
        settings["venue"] = (settings["venue"] or "").strip()
    if settings.get("reminder_hours_before") is not None \
            and settings["reminder_hours_before"] not in REMINDER_HOURS:
        raise DomainError("bad_reminder", _l("The reminder goes 2 hours, 1 day, 2 days or a week "
                                             "before the event, or not at all."),
                          field="reminder_hours_before")
    return settings


def _check_new_slug(slug: str, event: Event | None) -> None:
    if event is not None and event.state != EventState.DRAFT:
        raise DomainError("slug_locked", _l("The web address cannot change once the event is "
                                            "open."), status=409, field="slug")
    if slugify(slug) != slug:
        raise DomainError("bad_slug", _l("Use only a-z, 0-9 and single hyphens."), field="slug")
    if db.session.scalar(select(Event.id).filter_by(slug=slug)) is not None:
        raise DomainError("slug_taken", _l("Another event already uses this web address."),
                          status=409, field="slug")


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
    community: Community | str | None = None,
    reminder_hours_before: int | None = 24,
) -> Event:
    """A new draft event, owned by ``owner``, in ``community`` (one ``owner`` owns, or its
    slug; by default their first community, made for them if they have none). Without an
    owner (a script) and without a community, the event gets a community of its own. A
    given slug must be free; else one is made."""
    if owner is not None:
        require_event_runner(owner)
        community = community_of_organizer(owner, community)
    settings = checked_settings({
        "name": name, "slug": slug, "starts_at": starts_at, "ends_at": ends_at,
        "timezone": timezone, "venue": venue, "default_language": default_language,
        "walk_ins_allowed": walk_ins_allowed, "reminder_hours_before": reminder_hours_before})
    settings.setdefault("slug", unique_slug(settings["name"]))
    if isinstance(community, str):
        community = db.session.scalar(select(Community).filter_by(slug=community))
        if community is None:
            raise DomainError("not_found", _l("No such community."), status=404)
    if community is None:
        community = new_community(None, settings["name"],
                                  default_language=settings["default_language"])
    event = Event(**settings, state=EventState.DRAFT.value, community_id=community.id)
    db.session.add(event)
    db.session.flush()
    if owner is not None:
        give_role(owner, event, Role.OWNER)
    db.session.commit()
    return event


def update_event(event: Event, **changes) -> Event:
    """Change an event's settings. The slug can change only while the event is a draft,
    since its join page and printed links carry it once it is open. Reminders waiting in the
    outbox move with the start and the reminder setting (or go, when it is turned off).
    Commits."""
    for name, value in checked_settings(changes, event).items():
        setattr(event, name, value)
    reschedule(REMINDER_KIND, event.id, event.reminder_at)
    db.session.commit()
    return event


def open_event(event: Event) -> Event:
    if event.state == EventState.CLOSED:
        raise DomainError("event_closed", _l("This event is closed."), status=409)
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
        raise DomainError("event_closed", _l("This event is closed: nothing more can be added."),
                          status=409)


def get_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).filter_by(slug=slug))
    if event is None:
        raise DomainError("not_found", _l("No such event."), status=404)
    return event
