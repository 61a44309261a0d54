"""Recording that two attendees met, and the notes each keeps about the other."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checkin.columns import now_utc
from checkin.connections.models import Connection, Note
from checkin.errors import DomainError
from checkin.events.services import require_open
from checkin.extensions import db
from checkin.people.models import Attendee

MAX_NOTE_LENGTH = 2000


def connection_between(a: Attendee, b: Attendee) -> Connection | None:
    low, high = sorted((a.id, b.id))
    return db.session.scalar(select(Connection).filter_by(low_id=low, high_id=high))


def record_connection(scanner: Attendee, scanned: Attendee, at=None) -> tuple[Connection, bool]:
    """``scanner`` scanned ``scanned``'s card: the pair's one connection, and whether it is new.

    Connecting again, or the other person connecting back, returns the existing one.
    """
    if scanner.id == scanned.id:
        raise DomainError("own_card", "This is your own card.")
    if scanner.event_id != scanned.event_id:
        raise DomainError("wrong_event", "This card belongs to another event.", status=404)
    require_open(scanner.event)
    existing = connection_between(scanner, scanned)
    if existing is not None:
        return existing, False
    low, high = sorted((scanner.id, scanned.id))
    connection = Connection(event_id=scanner.event_id, low_id=low, high_id=high,
                            scanned_by_id=scanner.id, created_at=at or now_utc())
    try:
        with db.session.begin_nested():
            db.session.add(connection)
    except IntegrityError:  # both scanned each other at the same moment
        return connection_between(scanner, scanned), False
    db.session.commit()
    return connection, True


def write_note(author: Attendee, connection: Connection, text: str) -> Note:
    """Set ``author``'s private note on ``connection`` (one note per author and connection)."""
    if author.id not in (connection.low_id, connection.high_id):
        raise DomainError("not_found", "No such connection.", status=404)
    require_open(author.event)
    text = (text or "").strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError("note_too_long", f"A note holds at most {MAX_NOTE_LENGTH} characters.")
    note = db.session.scalar(select(Note).filter_by(connection_id=connection.id,
                                                    author_id=author.id))
    if note is None:
        note = Note(connection_id=connection.id, author_id=author.id, text=text)
        db.session.add(note)
    else:
        note.text = text
    db.session.commit()
    return note
