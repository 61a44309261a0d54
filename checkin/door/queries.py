"""What the door page reads: its roster, its search, one guest as the door sees them.

A door row holds what a device may keep to decide offline: the attendee's id, a hash
of the card code (never the code), the ticket code, a hash of the ticket URL (Tito's), name,
ticket type, attention note and whether and where they came in (and when they last left),
and their face: the key of their photo (the device loads it with the answer, online, so
staff can match face and ticket; 10,000 photos would be no roster) or, without one, the
colour behind their initials. No email, no notes, no search key (it holds the email).
"""

from datetime import datetime
from functools import cache

from sqlalchemy import func, or_, select

from checkin.door.codes import card_hash, door_key
from checkin.door.models import CheckIn, ScanKind, ScanResult
from checkin.events.models import Event
from checkin.extensions import db
from checkin.faces.initials import background_for
from checkin.faces.models import PersonPhoto
from checkin.people.models import Attendee, Person
from checkin.people.search import found_by, search_values, words_in

SEARCH_LIMIT = 20
# When the guest last left (an exit that let them out and was not undone).
_LEFT_AT = (select(func.max(CheckIn.scanned_at))
            .where(CheckIn.attendee_id == Attendee.id, CheckIn.kind == ScanKind.EXIT,
                   CheckIn.result == ScanResult.OK, CheckIn.undone_at.is_(None))
            .correlate(Attendee).scalar_subquery())
_COLUMNS = (Attendee.id, Attendee.card_code, Attendee.ticket_code, Person.display_name,
            Attendee.ticket_type, Attendee.attention_note, Attendee.inside,
            Attendee.checked_in_at, Attendee.checked_in_gate, _LEFT_AT, Person.id,
            PersonPhoto.key, Attendee.ticket_url)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def door_row(row, key: str) -> dict:
    """One guest as the door device keeps them (``row`` holds the values of ``_COLUMNS``)."""
    (attendee_id, card_code, ticket_code, name, ticket_type, note, inside, at, gate, left,
     person_id, photo, ticket_url) = row
    face = {"f": photo} if photo else {"c": background_for(person_id)}
    return {"i": attendee_id, "h": card_hash(key, card_code), "t": ticket_code, "n": name,
            "y": ticket_type, "a": note, "in": bool(inside), "at": _iso(at), "g": gate,
            "out": None if inside else _iso(left), **face,
            # A ticket URL opens the ticket at its system: kept hashed, as card codes are.
            "u": card_hash(key, ticket_url) if ticket_url else None}


def _query(*where, guests, order=(), limit: int | None = None):
    """The door rows' statement for the guests named by ``guests`` that match ``where``."""
    return (select(*_COLUMNS).join(Person, Person.id == Attendee.person_id)
            .outerjoin(PersonPhoto, PersonPhoto.person_id == Person.id)
            .where(guests, *where).order_by(*order).limit(limit))


def _rows(event: Event, *where, guests=None, order=(), limit: int | None = None) -> list[dict]:
    """The door rows of ``event``'s guests (or of ``guests``, a condition naming only guests
    of ``event``) that match ``where``."""
    guests = Attendee.event_id == event.id if guests is None else guests
    return _door_rows(event, _query(*where, guests=guests, order=order, limit=limit))


def _door_rows(event: Event, query, values: dict | None = None) -> list[dict]:
    key = door_key(event)
    return [door_row(row, key) for row in db.session.execute(query, values)]


def roster(event: Event, since: datetime | None = None) -> list[dict]:
    """Every guest of ``event``; with ``since``, only those added or (un)scanned since then."""
    if since is None:
        return _rows(event)
    scanned = select(CheckIn.attendee_id).where(
        CheckIn.event_id == event.id, CheckIn.attendee_id.is_not(None),
        or_(CheckIn.received_at > since, CheckIn.undone_at > since))
    return _rows(event, or_(Attendee.created_at > since, Attendee.id.in_(scanned)))


@cache
def _search_query(words: int, dialect: str):
    """Built once per number of words (and database): every search at the door runs one."""
    return _query(guests=found_by(words, dialect), order=(Person.name_key, Attendee.id),
                  limit=SEARCH_LIMIT)


def search(event: Event, query: str) -> list[dict]:
    """Guests whose name, email or ticket code has words starting with each word of ``query``,
    accents and case ignored, sorted as people read names ("Álvaro" before "Zoe")."""
    values = search_values(event.id, query) if len(query.strip()) >= 2 else None
    if values is None:
        return []
    query = _search_query(words_in(values), db.session.get_bind().dialect.name)
    return _door_rows(event, query, values)


def scanned_guest_row(guest, key: str) -> dict:
    """The door row of the guest a scan answered with (a ``ScanGuest``: read and written by
    the scan itself, so the door sees them as a fresh read would)."""
    return door_row((guest.id, guest.card_code, guest.ticket_code, guest.person.display_name,
                     guest.ticket_type, guest.attention_note, guest.inside, guest.checked_in_at,
                     guest.checked_in_gate, guest.left_at, guest.person.id, guest.photo,
                     guest.ticket_url), key)


def door_guest(event: Event, attendee_id: int) -> dict:
    """One guest as the door sees them now (after a scan or an undo)."""
    return _rows(event, Attendee.id == attendee_id)[0]
