"""My network: everyone I met at any of my community's events, one entry per person."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import contains_eager

from checkin.connections.models import Connection, Note
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.text import fold

SORTS = ("last_met", "name")


@dataclass
class Meeting:
    """One time we met: the event, when, the connection, and my note on it."""

    event: Event
    at: datetime
    connection: Connection
    other: Attendee
    note: str


@dataclass
class Contact:
    """One person I met, however many times."""

    person: Person
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def last_met(self) -> datetime:
        return max(m.at for m in self.meetings)

    @property
    def notes(self) -> list[Meeting]:
        """The meetings I wrote a note about, newest first."""
        return [m for m in self.meetings if m.note]

    def searchable(self) -> str:
        person = self.person
        return fold(" ".join(text for text in (
            person.display_name, person.email, person.headline, person.company,
            person.what_i_do, person.offer, person.need, person.pitch,
            *(m.note for m in self.meetings), *(m.event.name for m in self.meetings)) if text))


def my_registrations(person: Person) -> list[int]:
    return list(db.session.scalars(select(Attendee.id).where(Attendee.person_id == person.id)))


def network_of(person: Person, query: str = "", sort: str = "last_met") -> list[Contact]:
    """Everyone ``person`` connected with at any event of their community, one entry each,
    with each meeting (newest first) and my own notes (never theirs).

    ``query`` matches, accents and case aside, their name, card, the event's name or my
    notes; every word must appear. ``sort``: ``last_met`` (newest first) or ``name``.
    Three tables joined in one query: a member's network is the people they met (hundreds,
    not the community's thousands), grouped and searched here as People I met does.
    """
    mine = my_registrations(person)
    if not mine:
        return []
    other_id = case((Connection.low_id.in_(mine), Connection.high_id), else_=Connection.low_id)
    rows = db.session.execute(
        select(Connection, Attendee, Event, Note.text)
        .join(Attendee, Attendee.id == other_id)
        .join(Person, Person.id == Attendee.person_id)
        .join(Event, Event.id == Connection.event_id)
        .outerjoin(Note, and_(Note.connection_id == Connection.id, Note.author_id.in_(mine)))
        .where(or_(Connection.low_id.in_(mine), Connection.high_id.in_(mine)),
               Person.community_id == person.community_id)
        .options(contains_eager(Attendee.person))
        .order_by(Connection.created_at.desc(), Connection.id.desc())
    ).all()
    contacts: dict[int, Contact] = {}
    for connection, other, event, note in rows:
        contact = contacts.setdefault(other.person_id, Contact(other.person))
        contact.meetings.append(Meeting(event, connection.created_at, connection, other,
                                        note or ""))
    found = list(contacts.values())
    words = fold((query or "")[:100]).split()[:8]
    if words:
        found = [c for c in found if all(word in c.searchable() for word in words)]
    if sort == "name":
        found.sort(key=lambda c: (c.person.name_key, c.person.id))
    return found  # already newest meeting first: the order the rows came in
