"""The guest list as the console and the API search, filter and sort it; who was invited."""

from sqlalchemy import Select, String, cast, func, literal, select
from sqlalchemy.orm import contains_eager

from checkin.events.models import Event
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.people.models import Attendee, Person
from checkin.text import contains_pattern, fold

SORTS = {
    # Folded keys: "Álvaro Gil" before "Zoe Evans", on SQLite and PostgreSQL alike.
    "name": (Person.name_key, Attendee.id),
    "-name": (Person.name_key.desc(), Attendee.id.desc()),
    "company": (Person.company_key, Person.name_key, Attendee.id),
    "-company": (Person.company_key.desc(), Person.name_key.desc(), Attendee.id.desc()),
    "checked_in": (Attendee.checked_in_at.is_(None), Attendee.checked_in_at, Attendee.id),
    "-checked_in": (Attendee.checked_in_at.is_(None), Attendee.checked_in_at.desc(),
                    Attendee.id.desc()),
    "added": (Attendee.id,),
    "-added": (Attendee.id.desc(),),
}


def attendee_query(event: Event, *, search: str = "", checked_in: str | None = None,
                   invited: str | None = None, source: str | None = None,
                   ticket_type: str | None = None, sort: str = "name") -> Select:
    """The event's guests matching every filter given; ``search`` ignores accents and case.

    Each word of the search must appear in the guest's folded name, email, company or
    ticket code, so "nunez ana" finds "Ana Núñez".
    """
    query = (select(Attendee).join(Person, Person.id == Attendee.person_id)
             .options(contains_eager(Attendee.person))
             .where(Attendee.event_id == event.id))
    for word in fold(search).split()[:8]:
        query = query.where(Attendee.search_key.like(contains_pattern(word), escape="\\"))
    if checked_in in ("yes", "no"):
        column = Attendee.checked_in_at
        query = query.where(column.is_not(None) if checked_in == "yes" else column.is_(None))
    if invited in ("yes", "no"):
        column = Attendee.invited_at
        query = query.where(column.is_not(None) if invited == "yes" else column.is_(None))
    if source:
        query = query.where(Attendee.source == source)
    if ticket_type:
        query = query.where(Attendee.ticket_type == ticket_type)
    return query.order_by(*SORTS.get(sort, SORTS["name"]))


def ticket_types(event: Event) -> list[str]:
    return [t for t in db.session.scalars(
        select(Attendee.ticket_type).where(Attendee.event_id == event.id)
        .group_by(Attendee.ticket_type).order_by(Attendee.ticket_type)) if t]


def invitation_counts(event: Event) -> dict:
    """Guests in all, invited, without an email address, and still waiting for an invitation."""
    total, invited, no_email = db.session.execute(
        select(func.count(Attendee.id), func.count(Attendee.invited_at),
               func.coalesce(func.sum(db.case((Person.email == "", 1), else_=0)), 0))
        .join(Person, Person.id == Attendee.person_id).where(Attendee.event_id == event.id)
    ).one()
    waiting = db.session.scalar(
        select(func.count(Attendee.id)).join(Person, Person.id == Attendee.person_id)
        .where(Attendee.event_id == event.id, Attendee.invited_at.is_(None),
               Person.email != ""))
    return {"total": total, "invited": invited, "no_email": int(no_email), "waiting": waiting}


def invitation_messages(event: Event, *entities) -> Select:
    """The invitation emails of ``event`` with their guest, newest first."""
    return (select(*(entities or (OutboxMessage, Attendee, Person)))
            .join(Attendee, OutboxMessage.recipient
                  == literal("attendee:").concat(cast(Attendee.id, String)))
            .join(Person, Person.id == Attendee.person_id)
            .where(OutboxMessage.event_id == event.id, OutboxMessage.kind == "invitation")
            .order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id.desc()))
