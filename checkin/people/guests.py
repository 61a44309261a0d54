"""The guest list's use cases: add a guest by hand, correct one, find one, remove one."""

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.events.services import require_open
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.people.models import LIMITS, Attendee, AttendeeSource, Person
from checkin.people.services import (
    change_email,
    checked_email,
    checked_language,
    commit_or_refuse_duplicate,
    display_name_from,
    new_attendee,
    refresh_search_key,
    too_long,
)
from checkin.qr import card_payload
from checkin.qr.models import QrDrawing

PERSON_FIELDS = ("first_name", "last_name", "display_name", "email", "company", "headline",
                 "phone", "language")
REGISTRATION_FIELDS = ("ticket_code", "ticket_type", "attention_note")


def attendee_of(event: Event, attendee_id: int) -> Attendee:
    """The attendee ``attendee_id`` of ``event``, or a 404 refusal."""
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        raise DomainError("not_found", _l("No such attendee."), status=404)
    return attendee


def _checked(values: dict) -> dict:
    """The guest fields in ``values``, cleaned; an unknown field, a bad email or language,
    or a text over its limit is refused (before anything changes)."""
    unknown = set(values) - set(PERSON_FIELDS) - set(REGISTRATION_FIELDS)
    if unknown:
        raise DomainError("bad_field", _l("Unknown field: %(names)s.",
                                          names=", ".join(sorted(unknown))))
    checked = {}
    for name, value in values.items():
        if name == "language":
            checked[name] = checked_language(value)
            continue
        value = (value or "").strip()
        limit = LIMITS[name]
        if len(value) > limit:
            raise too_long(name, limit)
        checked[name] = checked_email(value) if name == "email" else value
    return checked


def _refuse_taken_ticket(event_id: int, code: str | None, current: str | None = None) -> None:
    if code and code != current and db.session.scalar(
            select(Attendee.id).filter_by(event_id=event_id, ticket_code=code)):
        raise DomainError("duplicate_ticket", _l("Another guest has this ticket code."),
                          status=409, field="ticket_code")


def add_attendee(event: Event, *, source: str = AttendeeSource.MANUAL, **values) -> Attendee:
    """One guest added by hand (console or API): a name is needed, an email must be valid,
    a ticket code is unique at the event. Commits."""
    require_open(event)
    values = _checked(values)
    code = values.pop("ticket_code", "") or None
    _refuse_taken_ticket(event.id, code)
    attention_note = values.pop("attention_note", "")
    attendee = new_attendee(event, source=source, ticket_code=code,
                            ticket_source=source if code else None, **values)
    attendee.attention_note = attention_note
    commit_or_refuse_duplicate()
    return attendee


def update_attendee(attendee: Attendee, **changes) -> Attendee:
    """Correct a guest's details (name, email, ticket, note for the door). Everything is
    checked before anything changes. Commits."""
    changes = _checked(changes)
    person = attendee.person
    names = {n: changes.get(n, getattr(person, n)) for n in ("first_name", "last_name")}
    shown = changes.get("display_name", person.display_name)
    given = changes.get("display_name", "")
    old_composed = f"{person.first_name} {person.last_name}".strip()
    if any(n in changes for n in names) and given in ("", old_composed):
        # The shown name followed first and last name: it still does.
        shown = display_name_from(names["first_name"], names["last_name"]) or shown or given
    if not shown:
        raise DomainError("missing_name", _l("A name is needed."), field="display_name")
    if "ticket_code" in changes:
        changes["ticket_code"] = changes["ticket_code"] or None
        _refuse_taken_ticket(attendee.event_id, changes["ticket_code"], attendee.ticket_code)
    if "email" in changes:  # the first write: refused once the guest has signed in
        change_email(person, changes.pop("email"))
    for name, value in changes.items():
        setattr(person if name in PERSON_FIELDS else attendee, name, value)
    person.display_name = shown
    refresh_search_key(attendee)
    commit_or_refuse_duplicate()
    return attendee


# Sent inside a removal, after the attendee's rows are gone and before the commit, with the
# event's id and the person's name: a domain that keeps messages mentioning them (the
# follow-ups) rewrites those in the same transaction. A signal, because those domains build
# on this one, never the other way round.
attendee_removed = Namespace().signal("attendee-removed")


def remove_attendee(attendee: Attendee) -> None:
    """Take ``attendee`` off their event: connections, notes, check-ins, their emails still
    in the outbox and their QR drawing go, and others' pending emails stop mentioning them.

    The person's card goes too unless they are registered at another event. The one removal,
    whoever asks: the attendee ("delete me"), the console, the API. Commits.
    """
    person_id, attendee_id, event_id = attendee.person_id, attendee.id, attendee.event_id
    name = attendee.person.display_name
    payload = card_payload(current_app.config["CHECKIN_BASE_URL"], attendee.card_code)
    db.session.expunge(attendee)
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.recipient == f"attendee:{attendee_id}"))
    db.session.execute(delete(QrDrawing).where(QrDrawing.payload == payload))
    # The database cascades to the connections, notes and check-ins.
    db.session.execute(delete(Attendee).where(Attendee.id == attendee_id))
    others = db.session.scalar(select(func.count()).select_from(Attendee)
                               .where(Attendee.person_id == person_id))
    if not others:
        db.session.execute(delete(Person).where(Person.id == person_id))
    db.session.expire_all()
    attendee_removed.send(current_app._get_current_object(), event_id=event_id, name=name)
    db.session.commit()



def remove_member(person: Person) -> int:
    """Take ``person`` out of their whole community: each of their registrations goes the
    way ``remove_attendee`` takes it, and with the last one their card. Returns how many
    events they left. Commits (once per event)."""
    registrations = db.session.scalars(select(Attendee).where(Attendee.person_id == person.id)
                                       .order_by(Attendee.id)).all()
    for attendee in registrations:
        remove_attendee(attendee)
    return len(registrations)
