"""Console use cases that the foundation's services do not cover: editing events and guests."""

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from checkin.errors import DomainError
from checkin.events.models import Event, EventState
from checkin.events.services import check_timezone
from checkin.extensions import db
from checkin.people.models import LIMITS, Attendee, Person
from checkin.people.services import refresh_search_key
from checkin.text import slugify

EVENT_FIELDS = ("name", "slug", "starts_at", "ends_at", "timezone", "venue", "default_language",
                "walk_ins_allowed")
ATTENDEE_PERSON_FIELDS = ("first_name", "last_name", "display_name", "email", "company",
                          "headline", "phone", "language")
ATTENDEE_FIELDS = ("ticket_code", "ticket_type", "attention_note")


def update_event(event: Event, **changes) -> Event:
    """Change an event's settings. The slug can change only while the event is a draft,
    since its join page and printed links carry it once it is open."""
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise DomainError("bad_field", f"Unknown field: {', '.join(sorted(unknown))}.")
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise DomainError("bad_name", "The event needs a name.")
    slug = changes.pop("slug", None)
    if slug and slug != event.slug:
        _change_slug(event, slug)
    if "timezone" in changes:
        check_timezone(changes["timezone"])
    if changes.get("default_language", event.default_language) not in ("en", "es"):
        raise DomainError("bad_language", "The language must be en or es.")
    starts_at = changes.get("starts_at", event.starts_at)
    ends_at = changes.get("ends_at", event.ends_at)
    _check_times(starts_at, ends_at)
    if "venue" in changes:
        changes["venue"] = (changes["venue"] or "").strip()
    for name, value in changes.items():
        setattr(event, name, value)
    db.session.commit()
    return event


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise DomainError("bad_time", "Start and end need a time zone offset.")
    if ends_at <= starts_at:
        raise DomainError("bad_time", "The event must end after it starts.")


def _change_slug(event: Event, slug: str) -> None:
    if event.state != EventState.DRAFT:
        raise DomainError("slug_locked", "The web address cannot change once the event is open.",
                          status=409)
    if slugify(slug) != slug:
        raise DomainError("bad_slug", "A slug uses only a-z, 0-9 and hyphens.")
    if db.session.scalar(select(Event.id).filter_by(slug=slug)) is not None:
        raise DomainError("slug_taken", f"The slug {slug!r} is taken.", status=409)
    event.slug = slug


def update_attendee(attendee: Attendee, **changes) -> Attendee:
    """Correct a guest's details (name, email, ticket, note for the door)."""
    unknown = set(changes) - set(ATTENDEE_PERSON_FIELDS) - set(ATTENDEE_FIELDS)
    if unknown:
        raise DomainError("bad_field", f"Unknown field: {', '.join(sorted(unknown))}.")
    person = attendee.person
    old_composed = f"{person.first_name} {person.last_name}".strip()
    for name in ATTENDEE_PERSON_FIELDS:
        if name not in changes:
            continue
        value = (changes[name] or "").strip()
        if name == "email":
            value = value.lower()
        if name == "language":
            if value not in ("", "en", "es"):
                raise DomainError("bad_language", "The language must be en or es.")
            value = value or None
        elif len(value) > LIMITS.get(name, 300):
            raise DomainError("too_long", f"{name} is longer than {LIMITS[name]} characters.")
        setattr(person, name, value)
    shown = (changes.get("display_name") or "").strip()
    if any(n in changes for n in ("first_name", "last_name")) and shown in ("", old_composed):
        # The shown name followed first and last name: it still does.
        person.display_name = f"{person.first_name} {person.last_name}".strip() \
            or person.display_name or shown
    if not person.display_name:
        raise DomainError("missing_name", "A name is needed.")
    if "ticket_code" in changes:
        code = (changes["ticket_code"] or "").strip() or None
        if code and code != attendee.ticket_code and db.session.scalar(
                select(Attendee.id).filter_by(event_id=attendee.event_id, ticket_code=code)):
            raise DomainError("duplicate_ticket", "Another guest has this ticket code.",
                              status=409)
        attendee.ticket_code = code
    if "ticket_type" in changes:
        attendee.ticket_type = (changes["ticket_type"] or "").strip()[:120]
    if "attention_note" in changes:
        attendee.attention_note = (changes["attention_note"] or "").strip()[:300]
    refresh_search_key(attendee)
    db.session.commit()
    return attendee


def remove_attendee(attendee: Attendee) -> None:
    """Take a guest off the list, with their check-ins and connections at this event.

    Their person (the card) stays if they are registered at other events."""
    person = attendee.person
    db.session.delete(attendee)
    db.session.flush()
    if not db.session.scalar(select(Attendee.id).filter_by(person_id=person.id).limit(1)):
        db.session.execute(delete(Person).where(Person.id == person.id))
    db.session.commit()


def attendee_of(event: Event, attendee_id: int) -> Attendee:
    """The attendee ``attendee_id`` of ``event``, or a 404 refusal."""
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        raise DomainError("not_found", "No such attendee.", status=404)
    return attendee


def add_attendee(event: Event, *, source: str = "manual", attention_note: str = "",
                 language: str | None = None, **values) -> Attendee:
    """One guest added by hand (console or API): a name is needed, a ticket code is unique."""
    from checkin.accounts.services import normalize_email
    from checkin.events.services import require_open
    from checkin.people.services import register_attendee

    require_open(event)
    values = {k: (v or "").strip() for k, v in values.items()}
    if values.get("email"):
        values["email"] = normalize_email(values["email"])
    code = values.pop("ticket_code", "") or None
    if code and db.session.scalar(select(Attendee.id).filter_by(event_id=event.id,
                                                                ticket_code=code)):
        raise DomainError("duplicate_ticket", "Another guest has this ticket code.", status=409)
    if language not in (None, "", "en", "es"):
        raise DomainError("bad_language", "The language must be en or es.")
    attendee = register_attendee(event, source=source, ticket_code=code,
                                 ticket_source=source if code else None,
                                 language=language or None, commit=False, **values)
    attendee.attention_note = (attention_note or "").strip()[:300]
    db.session.commit()
    return attendee


@dataclass
class InvitationTally:
    queued: int = 0
    no_email: int = 0
    remaining: int = 0


INVITE_BATCH = 100


def invite_attendees(event: Event, *, attendee_ids: list[int] | None = None,
                     resend: bool = False, time_budget: float | None = None,
                     progress=None) -> InvitationTally:
    """Put invitation emails in the outbox: for ``attendee_ids``, else every guest not yet
    invited (or, with ``resend``, every guest: each gets a new link, the old one stops).

    Works in batches and stops after ``time_budget`` seconds, saying how many remain, so a
    web request never runs long; the CLI passes no budget and sends them all.
    """
    from checkin.events.services import require_open
    from checkin.people.invitations import queue_invitation

    require_open(event)
    started = time.monotonic()
    chosen = select(Attendee.id).where(Attendee.event_id == event.id)
    if attendee_ids is not None:
        chosen = chosen.where(Attendee.id.in_(attendee_ids[:10_000]))
    elif not resend:
        chosen = chosen.where(Attendee.invited_at.is_(None))
    with_email = chosen.join(Person, Person.id == Attendee.person_id).where(Person.email != "")
    tally = InvitationTally(no_email=db.session.scalar(
        select(func.count()).select_from(chosen.subquery())) - db.session.scalar(
        select(func.count()).select_from(with_email.subquery())))
    ids = db.session.scalars(with_email.order_by(Attendee.id)).all()
    for n, attendee_id in enumerate(ids):
        if time_budget is not None and time.monotonic() - started > time_budget:
            tally.remaining = len(ids) - n
            break
        queue_invitation(db.session.get(Attendee, attendee_id))
        tally.queued += 1
        if progress:
            progress(1)
        if tally.queued % INVITE_BATCH == 0:
            db.session.expunge_all()  # keep memory flat over thousands of guests
            db.session.add(event)  # the caller's event stays usable
    return tally
