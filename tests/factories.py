"""Factories for every model: rows as a test wants them, built through the services."""

import itertools
from datetime import timedelta

from checkin.accounts.models import ApiToken, Organizer, Role, StaffInvitation
from checkin.accounts.services import create_organizer, grant_role, issue_api_token
from checkin.columns import now_utc
from checkin.connections.models import Connection, Note
from checkin.connections.services import record_connection, write_note
from checkin.door.models import CheckIn
from checkin.door.services import check_in
from checkin.events.models import Event
from checkin.events.services import create_event, open_event
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.mail.services import enqueue
from checkin.people.models import Attendee
from checkin.people.services import new_attendee, register_attendee
from checkin.qr import drawing_for
from checkin.qr.models import QrDrawing
from checkin.tokens import hash_secret, new_secret

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def make_organizer(email: str | None = None, password: str = PASSWORD, **kw) -> Organizer:
    return create_organizer(email or f"organizer{next(_seq)}@example.org", password, **kw)


def make_event(owner: Organizer | None = None, *, state: str = "open", **kw) -> Event:
    start = kw.pop("starts_at", now_utc() - timedelta(hours=1))
    kw.setdefault("name", f"Event {next(_seq)}")
    kw.setdefault("timezone", "Europe/Madrid")
    end = kw.pop("ends_at", start + timedelta(hours=4))
    event = create_event(owner, starts_at=start, ends_at=end, **kw)
    if state == "open":
        open_event(event)
    elif state == "closed":
        from checkin.events.services import close_event

        close_event(event)
    return event


def make_attendee(event: Event | None = None, **kw) -> Attendee:
    n = next(_seq)
    event = event or make_event()
    kw.setdefault("first_name", f"Person{n}")
    kw.setdefault("last_name", "Example")
    kw.setdefault("email", f"person{n}@example.com")
    # commit=False: only added to the session, for a test that writes many at once.
    return (register_attendee if kw.pop("commit", True) else new_attendee)(event, **kw)


def make_staff(event: Event, role: Role = Role.DOOR, **kw) -> Organizer:
    organizer = make_organizer(**kw)
    grant_role(organizer, event, role)
    return organizer


def make_api_token(organizer: Organizer) -> tuple[ApiToken, str]:
    return issue_api_token(organizer, label="test")


def make_connection(a: Attendee | None = None, b: Attendee | None = None, **kw) -> Connection:
    a = a or make_attendee()
    b = b or make_attendee(a.event)
    connection, _new = record_connection(a, b, **kw)
    return connection


def make_note(author: Attendee, connection: Connection, text: str = "Knows shoe suppliers") -> Note:
    return write_note(author, connection, text)


def make_checkin(attendee: Attendee, **kw) -> CheckIn:
    return check_in(attendee.event, attendee.card_code, **kw).checkin


def make_outbox(event: Event | None = None, **kw) -> OutboxMessage:
    n = next(_seq)
    kw.setdefault("kind", "test")
    kw.setdefault("recipient", f"attendee:{n}")
    kw.setdefault("to_address", f"person{n}@example.com")
    kw.setdefault("subject", "Hello")
    kw.setdefault("text_body", "Hello there")
    return enqueue(event_id=event.id if event else None, **kw)


def make_staff_invitation(event: Event, email: str = "door@example.org",
                          role: Role = Role.DOOR) -> tuple[StaffInvitation, str]:
    secret = new_secret()
    invitation = StaffInvitation(event_id=event.id, email=email, role=role.value,
                                 token_hash=hash_secret(secret),
                                 expires_at=now_utc() + timedelta(days=7))
    db.session.add(invitation)
    db.session.commit()
    return invitation, secret


def make_qr_drawing(payload: str = "HTTP://LOCALHOST/C/0123456789") -> QrDrawing:
    drawing = drawing_for(payload)
    db.session.commit()
    return drawing
