"""What the live dashboard shows: an event's figures, its arrivals, and a page of attendees.

Every function runs a fixed number of queries, whatever the size of the event.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, case, func, literal_column, select, union_all

from checkin.charts import arrival_buckets, arrival_window
from checkin.columns import now_utc
from checkin.connections.models import Connection
from checkin.door.models import CheckIn
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


def _figures_query():
    """The figures' one statement, built once (building it cost more than running it): each
    count reads an index alone, never a row (the attendees' figures read
    ix_attendees_event_id_checked_in_at_state)."""
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


_FIGURES = _figures_query()


def figures(event: Event) -> Figures:
    """The headline numbers, in one query: the dashboard, the console's overview and the
    API's stats all show these."""
    row = db.session.execute(_FIGURES, {"event_id": event.id}).one()
    return Figures(*(int(n or 0) for n in row))


def _bucket_seconds_expr(size: int):
    """Seconds since the epoch of each check-in's bucket start, in this database's dialect."""
    if db.engine.dialect.name == "postgresql":
        return literal_column(
            f"(floor(extract(epoch from attendees.checked_in_at) / {size}) * {size})::bigint"
        )
    return literal_column(
        f"(CAST(strftime('%s', attendees.checked_in_at) AS INTEGER) / {size}) * {size}"
    )


def arrival_counts(event: Event, size: timedelta = timedelta(minutes=5)) -> dict[datetime, int]:
    """{bucket start: first check-ins in it} for ``event``, counted by the database."""
    seconds = int(size.total_seconds())
    bucket = _bucket_seconds_expr(seconds).label("bucket")
    rows = db.session.execute(
        select(bucket, func.count())
        .select_from(Attendee)
        .where(Attendee.event_id == event.id, Attendee.checked_in_at.is_not(None))
        .group_by(bucket)
    ).all()
    return {datetime.fromtimestamp(int(b), UTC): int(n) for b, n in rows}


def arrivals(event: Event, size: timedelta = timedelta(minutes=5)) -> list[tuple[datetime, int]]:
    """Arrivals per bucket from just before the event's start until now (or its end)."""
    start, end = arrival_window(event.starts_at, event.ends_at)
    return arrival_buckets(arrival_counts(event, size), start=start, end=min(now_utc(), end),
                           size=size)


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
