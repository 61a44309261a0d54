"""Recording that two attendees met, and the notes each keeps about the other."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, delete, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from checkin.columns import now_utc
from checkin.connections.models import Connection, ConnectionRemoval, Note, Via
from checkin.errors import DomainError
from checkin.events.models import Event, EventState
from checkin.events.services import require_open
from checkin.extensions import db
from checkin.faces.models import PersonPhoto
from checkin.people.models import Attendee, Person
from checkin.ratelimit import allow
from checkin.text import clean_text, fold

MAX_NOTE_LENGTH = 2000
# New connections one attendee may make: a person meets a few people a minute at most, so
# this never slows a real networker, and it stops a phone that connects with every code
# it can find to collect shared emails and phones.
CONNECT_PACE = ((10, timedelta(minutes=1)), (60, timedelta(hours=1)))

# Sent inside a removal, before the commit, with the event's id and both attendees' ids:
# the follow-ups rewrite pending emails that still list one for the other.
connection_removed = Namespace().signal("connection-removed")


def connection_between(a: Attendee, b: Attendee) -> Connection | None:
    low, high = sorted((a.id, b.id))
    return db.session.scalar(select(Connection).filter_by(low_id=low, high_id=high))


def record_connection(scanner: Attendee, scanned: Attendee, at=None) -> tuple[Connection, bool]:
    """``scanner`` scanned ``scanned``'s card: the pair's one connection, and whether it is new.

    Connecting again, or the other person connecting back, returns the existing one. Only
    while the event is not closed (a scan happens in the room). Commits.
    """
    check_same_event(scanner, scanned)
    require_open(scanner.event)
    connection, new = connect_attendees(scanner, scanned, Via.SCAN, scanned_by=scanner, at=at)
    if new:
        db.session.commit()
    return connection, new


def check_same_event(a: Attendee, b: Attendee) -> None:
    """Two different attendees of one event, or the refusal that says which they are not."""
    if a.id == b.id:
        raise DomainError("own_card", _l("This is your own card."))
    if a.event_id != b.event_id:
        raise DomainError("wrong_event", _l("This card belongs to another event."), status=404)


def connect_attendees(a: Attendee, b: Attendee, via: Via, scanned_by: Attendee | None = None,
                      at=None) -> tuple[Connection, bool]:
    """The one way two attendees of one event become connected, however it came about
    (``via`` a scan, an accepted request, an introduction both accepted): the pair's one
    connection, and whether it is new. Flushes; the caller commits.

    It does not look at the event's state: a request accepted or an introduction made after
    the event closed connects too; the scan's rule (only while open) is ``record_connection``'s.
    A removal stands in the way only of a connection its author did not choose: a scan is
    the scanner's choice alone, so the scanned person's removal of them refuses it (and the
    scanner's own removal of the other goes); a request or an introduction is accepted by
    both, so a removal either way goes.
    """
    check_same_event(a, b)
    existing = connection_between(a, b)
    if existing is not None:
        return existing, False
    if via == Via.SCAN:
        scanned = b if scanned_by.id == a.id else a
        if db.session.scalar(select(ConnectionRemoval.id).filter_by(remover_id=scanned.id,
                                                                    removed_id=scanned_by.id)):
            raise DomainError("connection_removed", _l("You cannot connect with this card."),
                              status=403)
        # Scanning someone I had removed is a choice to connect after all.
        db.session.execute(delete(ConnectionRemoval).filter_by(remover_id=scanned_by.id,
                                                               removed_id=scanned.id))
    else:
        db.session.execute(delete(ConnectionRemoval).where(
            ConnectionRemoval.remover_id.in_((a.id, b.id)),
            ConnectionRemoval.removed_id.in_((a.id, b.id))))
    low, high = sorted((a.id, b.id))
    connection = Connection(event_id=a.event_id, low_id=low, high_id=high, via=via.value,
                            scanned_by_id=scanned_by.id if scanned_by else None,
                            created_at=at or now_utc())
    try:
        with db.session.begin_nested():
            db.session.add(connection)
    except IntegrityError:  # both connected at the same moment (scanned each other, say)
        return connection_between(a, b), False
    return connection, True


def connect_with_card(me: Attendee, card: Attendee, existing: Connection | None = None
                      ) -> tuple[Connection, bool]:
    """``me`` tapped Connect on ``card``: ``record_connection`` at a human pace.

    Only new connections count against ``CONNECT_PACE``; connecting again is free.
    ``existing``: our connection, if the caller has just read it (the card page's query).
    """
    if existing is None and me.id != card.id:
        existing = connection_between(me, card)
    if existing is not None:
        return existing, False
    for limit, per in CONNECT_PACE:
        if not allow(f"connect:{me.id}:{int(per.total_seconds())}", limit, per):
            raise DomainError("connecting_too_fast", _l(
                "You are connecting faster than people meet. Wait a minute, then try again."),
                status=429)
    return record_connection(me, card)


def remove_connection(me: Attendee, other: Attendee) -> None:
    """``me`` does not recognise ``other``: our connection and both our notes on it go,
    ``other`` no longer sees what I share, cannot connect with me again at this event, is
    not suggested to me, and pending follow-up emails stop listing us for each other.
    Works before and after the event closes. Commits.
    """
    connection = connection_between(me, other) if me.id != other.id else None
    if connection is None:
        raise DomainError("not_connected", _l("You are not connected with this person."),
                          status=404)
    event_id = connection.event_id
    db.session.execute(delete(Note).where(Note.connection_id == connection.id))
    db.session.execute(delete(Connection).where(Connection.id == connection.id))
    db.session.expunge(connection)
    if not db.session.scalar(select(ConnectionRemoval.id).filter_by(remover_id=me.id,
                                                                    removed_id=other.id)):
        db.session.add(ConnectionRemoval(event_id=event_id, remover_id=me.id,
                                         removed_id=other.id))
    db.session.flush()
    connection_removed.send(current_app._get_current_object(), event_id=event_id,
                            attendee_ids=(me.id, other.id))
    db.session.commit()


def removed_among(attendee_ids: list[int]) -> dict[int, set[int]]:
    """{attendee: the attendees of their event they removed or who removed them} for each
    of ``attendee_ids`` (never suggested to them), in one query for a batch of emails."""
    found: dict[int, set[int]] = {attendee_id: set() for attendee_id in attendee_ids}
    rows = db.session.execute(select(ConnectionRemoval.remover_id, ConnectionRemoval.removed_id)
                              .where(or_(ConnectionRemoval.remover_id.in_(attendee_ids),
                                         ConnectionRemoval.removed_id.in_(attendee_ids))))
    for remover, removed in rows:
        if remover in found:
            found[remover].add(removed)
        if removed in found:
            found[removed].add(remover)
    return found


# A removal is kept per registration (who removed whom at which event); read per person, it
# holds at all of the community's events: someone who does not recognise me at one is not
# suggested to me, asked for me or introduced to me at the next.

def removed_people(person_id: int) -> set[int]:
    """The people this person removed, or who removed them, at any of the community's events."""
    mine = select(Attendee.id).where(Attendee.person_id == person_id)
    others = union_all(
        select(ConnectionRemoval.removed_id).where(ConnectionRemoval.remover_id.in_(mine)),
        select(ConnectionRemoval.remover_id).where(ConnectionRemoval.removed_id.in_(mine)),
    )
    return set(db.session.scalars(select(Attendee.person_id).where(Attendee.id.in_(others))))


def person_removed(remover_id: int, person_id: int, either_way: bool = False) -> bool:
    """Whether the person ``remover_id`` removed the person ``person_id`` at some event of
    theirs (or, ``either_way``, the reverse too)."""
    pairs = [(remover_id, person_id)] + ([(person_id, remover_id)] if either_way else [])
    remover = Attendee.__table__.alias("remover")
    removed = Attendee.__table__.alias("removed")
    return db.session.scalar(
        select(ConnectionRemoval.id)
        .join(remover, remover.c.id == ConnectionRemoval.remover_id)
        .join(removed, removed.c.id == ConnectionRemoval.removed_id)
        .where(or_(*(and_(remover.c.person_id == a, removed.c.person_id == b)
                     for a, b in pairs)))
        .limit(1)) is not None


def write_note(author: Attendee, connection: Connection, text: str) -> Note:
    """Set ``author``'s private note on ``connection`` (one note per author and connection)."""
    if author.id not in (connection.low_id, connection.high_id):
        raise DomainError("not_found", _l("No such connection."), status=404)
    require_open(author.event)
    text = clean_text(text)
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError("note_too_long", _l("A note holds at most %(limit)d characters.",
                                             limit=MAX_NOTE_LENGTH), field="text")
    note = db.session.scalar(select(Note).filter_by(connection_id=connection.id,
                                                    author_id=author.id))
    if note is None:
        note = Note(connection_id=connection.id, author_id=author.id, text=text)
        db.session.add(note)
    else:
        note.text = text
    db.session.commit()
    return note


@dataclass
class Met:
    """One person I met: the connection, the other attendee (person loaded) and my note."""

    connection: Connection
    other: Attendee
    note: str


def met_columns() -> list[str]:
    """The header of a spreadsheet of the people someone met, in the reader's language: a
    person reads it (the People I met download, the follow-up's contacts.csv), no program."""
    return [_("Name"), _("Headline"), _("Company"), _("Email"), _("Phone"), _("Links"),
            _("What they do"), _("Offers"), _("Needs"), _("My note"), _("Met at")]


def people_met(me: Attendee, query: str = "", limit: int | None = 50, offset: int = 0
               ) -> list[Met]:
    """The people ``me`` connected with, newest first, with my own note (never theirs).

    ``query`` matches, accents and case aside, their name, email or company, their headline,
    what they do, offer, need or pitch, or my note; every word must appear in one of them.
    """
    other_id = case((Connection.low_id == me.id, Connection.high_id), else_=Connection.low_id)
    statement = (
        select(Connection, Attendee, Note.text)
        .join(Attendee, Attendee.id == other_id)
        .join(Person, Person.id == Attendee.person_id)
        .outerjoin(Note, and_(Note.connection_id == Connection.id, Note.author_id == me.id))
        .where(or_(Connection.low_id == me.id, Connection.high_id == me.id))
        .options(contains_eager(Attendee.person))
        .order_by(Connection.created_at.desc(), Connection.id.desc())
    )
    words = fold((query or "")[:100]).split()[:8]
    if not words:
        if limit is not None:
            statement = statement.limit(limit).offset(offset)
        return [Met(connection, other, text or "") for connection, other, text
                in db.session.execute(statement)]
    # Folded in Python, not SQL: neither SQLite nor PostgreSQL folds accents out of the box,
    # and one person's list is the people they met at one event (hundreds at most).
    found = [Met(connection, other, text or "") for connection, other, text
             in db.session.execute(statement)
             if all(word in searchable(other, text) for word in words)]
    return found[offset:] if limit is None else found[offset:offset + limit]


def searchable(other: Attendee, note: str | None) -> str:
    """Everything a search of People I met reads about ``other``, folded."""
    person = other.person
    return fold(" ".join(text for text in (
        other.search_key, person.headline, person.company, person.what_i_do, person.offer,
        person.need, person.pitch, note) if text))


@dataclass
class CardAsSeen:
    """A card, and how the one who opens it relates to it (for the card page)."""

    card: Attendee
    # The attendees of the card's event among those this browser's sign-ins name, each
    # with our connection and their note on it: candidates, for the sign-in to confirm.
    viewers: dict[int, tuple[Attendee, Connection | None, str]]


def card_as_seen(card_code: str, viewer_ids: list[int]) -> CardAsSeen | None:
    """The card ``card_code`` with its person, photo and event and, in the same query, which
    of ``viewer_ids`` are attendees of its event, with our connection and their note."""
    rows = db.session.execute(_card_as_seen_query(),
                              {"code": card_code, "viewers": viewer_ids or [0]}).all()
    if not rows:
        return None
    viewers = {viewer.id: (viewer, connection, note or "")
               for _card, viewer, connection, note in rows if viewer is not None}
    return CardAsSeen(rows[0][0], viewers)


def _card_seen_from(columns) -> tuple:
    """The card a code names, joined to its person, photo and event, and to each candidate
    viewer (bound: ``viewers``) at its event with our connection and my note on it; what is
    selected is ``columns(viewer, viewer_person)``. The statement, and those two aliases."""
    viewer, viewer_person = aliased(Attendee), aliased(Person)
    low = case((viewer.id < Attendee.id, viewer.id), else_=Attendee.id)
    high = case((viewer.id < Attendee.id, Attendee.id), else_=viewer.id)
    statement = (
        select(*columns(viewer, viewer_person))
        .join(Person, Person.id == Attendee.person_id)
        .outerjoin(PersonPhoto, PersonPhoto.person_id == Person.id)
        .join(Event, Event.id == Attendee.event_id)
        .outerjoin(viewer, and_(viewer.event_id == Attendee.event_id,
                                viewer.id.in_(bindparam("viewers", expanding=True))))
        .outerjoin(viewer_person, viewer_person.id == viewer.person_id)
        .outerjoin(Connection, and_(viewer.id != Attendee.id, Connection.low_id == low,
                                    Connection.high_id == high))
        .outerjoin(Note, and_(Note.connection_id == Connection.id, Note.author_id == viewer.id))
        .where(Attendee.card_code == bindparam("code"))
    )
    return statement, viewer, viewer_person


@cache
def _card_as_seen_query():
    """Built once: the card page runs it on every view, and building it costs more than
    running it (bound values: the code, the candidate viewers)."""
    statement, viewer, viewer_person = _card_seen_from(
        lambda viewer, _person: (Attendee, viewer, Connection, Note.text))
    return (
        statement
        .options(contains_eager(Attendee.person).contains_eager(Person.photo),
                 contains_eager(Attendee.event),
                 contains_eager(viewer.person.of_type(viewer_person)))
    )


# The card page as plain rows: it is opened all evening, and building ORM objects (identity
# map, loaders) for a card, its person, photo, event, viewer and connection cost more than
# running the query. What it reads, named as the models name it, so the templates, the
# sign-in check and the page's version read these and the models alike.
@dataclass(frozen=True, slots=True)
class SeenPhoto:
    key: str


@dataclass(frozen=True, slots=True)
class SeenPerson:
    id: int
    display_name: str
    headline: str
    company: str
    what_i_do: str
    offer: str
    need: str
    pitch: str
    email: str
    phone: str
    links: list
    share_email: bool
    share_phone: bool
    share_links: bool
    accepts_requests: bool
    language: str | None
    photo: SeenPhoto | None


@dataclass(frozen=True, slots=True)
class SeenViewerPerson:
    """Of the viewer's person the page reads only the language (the sign-in check sets it)."""

    id: int
    language: str | None


@dataclass(frozen=True, slots=True)
class SeenEvent:
    id: int
    community_id: int
    slug: str
    name: str
    state: str
    walk_ins_allowed: bool

    @property
    def is_closed(self) -> bool:
        return self.state == EventState.CLOSED


@dataclass(frozen=True, slots=True)
class SeenAttendee:
    id: int
    event_id: int
    person_id: int
    card_code: str
    session_key: str
    person: SeenPerson | SeenViewerPerson
    event: SeenEvent


@dataclass(frozen=True, slots=True)
class SeenConnection:
    id: int
    low_id: int
    high_id: int


_CARD_PERSON = ("display_name", "headline", "company", "what_i_do", "offer", "need", "pitch",
                "email", "phone", "links", "share_email", "share_phone", "share_links",
                "accepts_requests", "language")
_PERSON_FIELDS = len(_CARD_PERSON)


def card_page_as_seen(card_code: str, viewer_ids: list[int]) -> CardAsSeen | None:
    """``card_as_seen`` read as plain rows (``Seen*``), for the card page: the same one query,
    the same candidates for the sign-in to confirm, no ORM objects."""
    rows = db.session.connection().execute(
        _card_page_query(), {"code": card_code, "viewers": viewer_ids or [0]}).all()
    if not rows:
        return None
    # Positions, in the order _card_page_query selects them.
    card_id, event_id, person_id, code, session_key, *rest = rows[0]
    person_fields, (photo_key, community_id, slug, name, state, walk_ins) = \
        rest[:_PERSON_FIELDS], rest[_PERSON_FIELDS:_PERSON_FIELDS + 6]
    event = SeenEvent(event_id, community_id, slug, name, state, walk_ins)
    person = SeenPerson(person_id, *person_fields,
                        photo=SeenPhoto(photo_key) if photo_key else None)
    card = SeenAttendee(card_id, event_id, person_id, code, session_key, person, event)
    viewers = {}
    for row in rows:
        (viewer_id, viewer_person_id, viewer_key, language, connection_id, low_id, high_id,
         note) = row[-8:]
        if viewer_id is None:
            continue
        viewer = card if viewer_id == card_id else SeenAttendee(
            viewer_id, event_id, viewer_person_id, "", viewer_key,
            SeenViewerPerson(viewer_person_id, language), event)
        connection = SeenConnection(connection_id, low_id, high_id) \
            if connection_id is not None else None
        viewers[viewer_id] = (viewer, connection, note or "")
    return CardAsSeen(card, viewers)


@cache
def _card_page_query():
    """``_card_as_seen_query``'s joins, selecting columns: built once."""
    return _card_seen_from(lambda viewer, viewer_person: (
        Attendee.id, Attendee.event_id, Attendee.person_id, Attendee.card_code,
        Attendee.session_key, *(getattr(Person, name) for name in _CARD_PERSON),
        PersonPhoto.key.label("photo_key"), Event.community_id, Event.slug,
        Event.name.label("event_name"), Event.state, Event.walk_ins_allowed,
        viewer.id.label("viewer_id"), viewer.person_id.label("viewer_person_id"),
        viewer.session_key.label("viewer_session_key"),
        viewer_person.language.label("viewer_language"),
        Connection.id.label("connection_id"), Connection.low_id, Connection.high_id,
        Note.text.label("note")))[0]


def connection_for(me: Attendee, other: Attendee) -> tuple[Connection | None, str]:
    """The connection between us, if any, and my note on it (one query)."""
    if me.id == other.id:
        return None, ""
    low, high = sorted((me.id, other.id))
    row = db.session.execute(
        select(Connection, Note.text)
        .outerjoin(Note, and_(Note.connection_id == Connection.id, Note.author_id == me.id))
        .where(Connection.low_id == low, Connection.high_id == high)
    ).first()
    return (row[0], row[1] or "") if row else (None, "")
