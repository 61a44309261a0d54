"""What the live dashboard shows: an event's figures, its arrivals, and a page of attendees.

Every function runs a fixed number of queries, whatever the size of the event.
"""

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, select, true, union_all

from checkin.charts import arrival_buckets, arrival_window
from checkin.columns import now_utc
from checkin.connections.models import Connection
from checkin.door.models import CheckIn, EventArrivals, EventFigures
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, AttendeeSource, Person
from checkin.people.search import matching

PER_PAGE = 50
SORTS = {
    "name": (Person.name_key.asc(), Attendee.id.asc()),
    "company": (Person.company_key.asc(), Person.name_key.asc(), Attendee.id.asc()),
    "ticket": (Attendee.ticket_type.asc(), Person.name_key.asc(), Attendee.id.asc()),
    "arrived": (Attendee.checked_in_at.is_(None), Attendee.checked_in_at.desc(),
                Attendee.id.asc()),
}
FILTERS = {
    "all": None,
    "in": Attendee.checked_in_at.is_not(None),
    "out": Attendee.checked_in_at.is_(None),
    "inside": Attendee.inside.is_(True),
    "walk_in": Attendee.source == AttendeeSource.WALK_IN,
}


@dataclass
class Figures:
    registered: int
    invited: int
    checked_in: int
    inside: int
    walk_ins: int
    scans: int
    connections: int


FIGURES = tuple(field.name for field in fields(Figures))


def _counted_figures_query():
    """The figures counted from the rows, in one statement built once: each count reads an
    index alone (the attendees' figures read ix_attendees_event_id_checked_in_at_state)."""
    event_id = bindparam("event_id")
    scans = select(func.count()).select_from(CheckIn).where(CheckIn.event_id == event_id)
    connections = (select(func.count()).select_from(Connection)
                   .where(Connection.event_id == event_id))
    return select(
        func.count(),
        func.count(Attendee.invited_at),
        func.count(Attendee.checked_in_at),
        func.coalesce(func.sum(case((Attendee.inside.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Attendee.source == AttendeeSource.WALK_IN, 1),
                                    else_=0)), 0),
        scans.scalar_subquery(),
        connections.scalar_subquery(),
    ).select_from(Attendee).where(Attendee.event_id == event_id)


_COUNTED_FIGURES = _counted_figures_query()
_FIGURES = select(EventFigures.registered, EventFigures.invited, EventFigures.checked_in,
                  EventFigures.inside, EventFigures.walk_ins, EventFigures.scans,
                  EventFigures.connections).where(EventFigures.event_id == bindparam("event_id"))


def figures(event: Event) -> Figures:
    """The headline numbers, from the one row the database keeps for ``event`` (see
    ``EventFigures``): the dashboard, the console's overview and the API's stats show these."""
    row = db.session.execute(_FIGURES, {"event_id": event.id}).first()
    return Figures(*row) if row is not None else counted_figures(event)


def counted_figures(event: Event) -> Figures:
    """The same numbers counted from the guests, scans and connections themselves (what the
    kept ones must always equal)."""
    row = db.session.execute(_COUNTED_FIGURES, {"event_id": event.id}).one()
    return Figures(*(int(n or 0) for n in row))


@cache
def _arrivals_query(minutes: int):
    """Built once per bucket size: the kept arrivals summed per bucket of ``minutes``."""
    bucket = (EventArrivals.minute // minutes * minutes).label("bucket")
    arrived = func.sum(EventArrivals.arrivals)
    return (select(bucket, arrived).where(EventArrivals.event_id == bindparam("event_id"))
            .group_by(bucket).having(arrived > 0))


def _bucket_minutes(size: timedelta) -> int:
    minutes = int(size.total_seconds()) // 60
    if minutes < 1 or size.total_seconds() % 60:
        raise ValueError("arrivals are kept per minute: a bucket is whole minutes")
    return minutes


def arrival_counts(event: Event, size: timedelta = timedelta(minutes=5)) -> dict[datetime, int]:
    """{bucket start: first check-ins in it} for ``event`` (``size`` whole minutes), from the
    arrivals per minute the database keeps (see ``EventArrivals``)."""
    rows = db.session.execute(_arrivals_query(_bucket_minutes(size)),
                              {"event_id": event.id}).all()
    return {datetime.fromtimestamp(int(b) * 60, UTC): int(n) for b, n in rows}


def _in_window(event: Event, counts: dict[datetime, int],
               size: timedelta) -> list[tuple[datetime, int]]:
    start, end = arrival_window(event.starts_at, event.ends_at)
    return arrival_buckets(counts, start=start, end=min(now_utc(), end), size=size)


def arrivals(event: Event, size: timedelta = timedelta(minutes=5)) -> list[tuple[datetime, int]]:
    """Arrivals per bucket from just before the event's start until now (or its end)."""
    return _in_window(event, arrival_counts(event, size), size)


@cache
def _figures_and_arrivals_query(minutes: int):
    """Built once per bucket size: the figures' row joined to the arrivals summed per bucket,
    one row per bucket (or one with no bucket before anyone arrives), each with the figures;
    table columns, not the models', so the session runs it without the ORM's preparations."""
    kept, arrived = EventFigures.__table__, EventArrivals.__table__
    bucket = (arrived.c.minute // minutes * minutes).label("bucket")
    total = func.sum(arrived.c.arrivals).label("arrivals")
    buckets = (select(bucket, total).where(arrived.c.event_id == bindparam("event_id"))
               .group_by(bucket).having(total > 0).subquery())
    return (select(*(kept.c[name] for name in FIGURES), buckets.c.bucket, buckets.c.arrivals)
            .select_from(kept.outerjoin(buckets, true()))
            .where(kept.c.event_id == bindparam("event_id")))


def figures_and_arrivals(event: Event, size: timedelta = timedelta(minutes=5)
                         ) -> tuple[Figures, list[tuple[datetime, int]]]:
    """``figures(event)`` and ``arrivals(event, size)`` in one statement: what the live
    dashboard shows every ten seconds."""
    rows = db.session.execute(_figures_and_arrivals_query(_bucket_minutes(size)),
                              {"event_id": event.id}).all()
    if not rows:
        return counted_figures(event), arrivals(event, size)
    counts = {datetime.fromtimestamp(int(row.bucket) * 60, UTC): int(row.arrivals)
              for row in rows if row.bucket is not None}
    return Figures(*rows[0][:len(FIGURES)]), _in_window(event, counts, size)


@dataclass
class AttendeeRow:
    id: int
    name: str
    email: str
    company: str
    ticket_type: str
    source: str
    checked_in_at: datetime | None
    gate: str
    inside: bool
    connections: int


@dataclass
class AttendeePage:
    rows: list[AttendeeRow]
    total: int
    page: int
    pages: int


def attendee_page(event: Event, *, query: str = "", sort: str = "name", status: str = "all",
                  page: int = 1, per_page: int = PER_PAGE) -> AttendeePage:
    """One page of the attendee table, searched, filtered and sorted, in three queries."""
    # A search names the event's guests itself, from its index (see people.search.matching).
    where = [search_filter(event, query) if query.strip() else Attendee.event_id == event.id]
    if FILTERS.get(status) is not None:
        where.append(FILTERS[status])
    total = db.session.scalar(select(func.count(Attendee.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    found = db.session.execute(
        select(Attendee.id, Person.display_name, Person.email, Person.company,
               Attendee.ticket_type, Attendee.source, Attendee.checked_in_at,
               Attendee.checked_in_gate, Attendee.inside)
        .join(Person, Person.id == Attendee.person_id)
        .where(*where)
        .order_by(*SORTS.get(sort, SORTS["name"]))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    met = connection_counts([r[0] for r in found])
    rows = [AttendeeRow(*r, connections=met.get(r[0], 0)) for r in found]
    return AttendeePage(rows, total, page, pages)


def connection_counts(attendee_ids: list[int]) -> dict[int, int]:
    """{attendee id: connections made} for a page of attendees, in one query."""
    if not attendee_ids:
        return {}
    sides = union_all(
        select(Connection.low_id.label("who")).where(Connection.low_id.in_(attendee_ids)),
        select(Connection.high_id.label("who")).where(Connection.high_id.in_(attendee_ids)),
    ).subquery()
    rows = db.session.execute(select(sides.c.who, func.count()).group_by(sides.c.who)).all()
    return {who: n for who, n in rows}


def search_filter(event: Event, query: str):
    """The condition door and dashboard search use: each word starts a word of the guest's
    name, email, company or ticket code (see checkin.people.search)."""
    return matching(event.id, query)
