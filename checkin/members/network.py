"""My network: everyone I met at any of my community's events, or was introduced to, one
entry per person."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, or_, select, union
from sqlalchemy.orm import contains_eager, joinedload

from checkin.connections.models import Connection, Note
from checkin.events.models import Event
from checkin.extensions import db
from checkin.introductions.models import Introduction, IntroductionState
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
class Introduced:
    """We were introduced: by whom (None once they left the community), when, and why."""

    by: Person | None
    at: datetime
    reason: str


@dataclass
class Contact:
    """One person I met, however many times, or was introduced to."""

    person: Person
    meetings: list[Meeting] = field(default_factory=list)
    introductions: list[Introduced] = field(default_factory=list)

    @property
    def last_met(self) -> datetime:
        """The last time we met, or were introduced."""
        return max([m.at for m in self.meetings] + [i.at for i in self.introductions])

    @property
    def notes(self) -> list[Meeting]:
        """The meetings I wrote a note about, newest first."""
        return [m for m in self.meetings if m.note]

    def searchable(self) -> str:
        person = self.person
        return fold(" ".join(text for text in (
            person.display_name, person.email, person.headline, person.company,
            person.what_i_do, person.offer, person.need, person.pitch,
            *(m.note for m in self.meetings), *(m.event.name for m in self.meetings),
            *(i.by.display_name for i in self.introductions if i.by)) if text))


def my_registrations(person: Person) -> list[int]:
    return list(db.session.scalars(select(Attendee.id).where(Attendee.person_id == person.id)))


def contact_ids(person: Person) -> set[int]:
    """The people in ``person``'s network: met at any event of the community (they are one
    community's registrations), or introduced. Two indexed queries, ids only."""
    mine = select(Attendee.id).where(Attendee.person_id == person.id).scalar_subquery()
    met = union(
        select(Attendee.person_id).join(Connection, Connection.high_id == Attendee.id)
        .where(Connection.low_id.in_(mine)),
        select(Attendee.person_id).join(Connection, Connection.low_id == Attendee.id)
        .where(Connection.high_id.in_(mine)))
    found = set(db.session.scalars(met))
    found.update(db.session.scalars(
        select(case((Introduction.first_id == person.id, Introduction.second_id),
                    else_=Introduction.first_id))
        .where(or_(Introduction.first_id == person.id, Introduction.second_id == person.id),
               Introduction.state == IntroductionState.INTRODUCED)))
    found.discard(person.id)
    return found


def introductions_of(person: Person) -> list[tuple[Person, Introduced]]:
    """The people ``person`` was introduced to (both said yes), with the introduction."""
    rows = db.session.scalars(
        select(Introduction)
        .where(or_(Introduction.first_id == person.id, Introduction.second_id == person.id),
               Introduction.state == IntroductionState.INTRODUCED)
        .options(joinedload(Introduction.first), joinedload(Introduction.second),
                 joinedload(Introduction.introducer)))
    return [(i.other(person.id), Introduced(i.introducer, i.introduced_at, i.reason))
            for i in rows]


def network_of(person: Person, query: str = "", sort: str = "last_met") -> list[Contact]:
    """Everyone ``person`` connected with at any event of their community, one entry each,
    with each meeting (newest first) and my own notes (never theirs).

    ``query`` matches, accents and case aside, their name, card, the event's name, my
    notes or who introduced us; every word must appear. ``sort``: ``last_met`` (newest
    first, an introduction counting as a meeting) or ``name``. Three tables joined in one
    query, and the introductions in another: a member's network is the people they met
    (hundreds, not the community's thousands), grouped and searched here as People I met
    does. People introduced to me are in it as met, with who introduced us.
    """
    mine = my_registrations(person)
    if not mine:
        return []
    contacts: dict[int, Contact] = {}
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
    for connection, other, event, note in rows:
        contact = contacts.setdefault(other.person_id, Contact(other.person))
        contact.meetings.append(Meeting(event, connection.created_at, connection, other,
                                        note or ""))
    for other_person, introduced in introductions_of(person):
        contacts.setdefault(other_person.id, Contact(other_person)).introductions.append(
            introduced)
    found = sorted(contacts.values(), key=lambda c: c.last_met, reverse=True)
    words = fold((query or "")[:100]).split()[:8]
    if words:
        found = [c for c in found if all(word in c.searchable() for word in words)]
    if sort == "name":
        found.sort(key=lambda c: (c.person.name_key, c.person.id))
    return found
