"""The figures and arrivals the database keeps per event always equal a recount of the rows,
whatever changed them, and the live dashboard reads them instead of counting."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select, text

from checkin.columns import now_utc
from checkin.connections.models import Connection
from checkin.connections.services import connection_between, record_connection, remove_connection
from checkin.door.dashboard import (
    arrival_counts,
    arrivals,
    counted_figures,
    figures,
    figures_and_arrivals,
)
from checkin.door.models import EventArrivals, EventFigures
from checkin.door.services import check_in, undo_check_in
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.guestlists.services import apply_import
from checkin.people.guests import remove_attendee
from checkin.people.invitations import queue_invitation
from checkin.people.models import Attendee, AttendeeSource
from tests.conftest import ON_POSTGRES, login
from tests.factories import make_attendee, make_event
from tests.statements import statements_run as counted

TRIGGERS = {
    "event_figures_event_added", "event_figures_guest_added", "event_figures_guest_removed",
    "event_figures_guest_changed", "event_arrivals_guest_changed", "event_figures_guest_moved",
    "event_figures_scan_added", "event_figures_scan_removed", "event_figures_connection_added",
    "event_figures_connection_removed",
}


def _triggers() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return set(db.session.scalars(text(query)))


def test_every_trigger_that_keeps_the_figures_exists(app):
    # A migration that re-creates attendees, checkins or connections (SQLite's batch mode)
    # drops their triggers: it must create them again (see migration 0021).
    assert _triggers() >= TRIGGERS


def _counted_arrivals(event: Event) -> Counter:
    """First check-ins per minute, from the guests' own rows."""
    times = db.session.scalars(select(Attendee.checked_in_at).where(
        Attendee.event_id == event.id, Attendee.checked_in_at.is_not(None)))
    return Counter(int(at.timestamp()) // 60 for at in times)


def _kept_arrivals(event: Event) -> Counter:
    rows = db.session.execute(select(EventArrivals.minute, EventArrivals.arrivals)
                              .where(EventArrivals.event_id == event.id))
    return Counter({minute: n for minute, n in rows if n})


def assert_kept_equals_recount(event: Event) -> None:
    db.session.expire_all()
    assert figures(event) == counted_figures(event)
    assert _kept_arrivals(event) == _counted_arrivals(event)
    five = Counter()
    for minute, n in _counted_arrivals(event).items():
        five[datetime.fromtimestamp(minute // 5 * 300, UTC)] += n
    assert arrival_counts(event) == dict(five)


class Door:
    """One random change at a time to an event, through the services that make each."""

    def __init__(self, event: Event, seed: int):
        self.event, self.rng, self.n = event, random.Random(seed), 0
        self.undoable: list[int] = []

    def guests(self) -> list[Attendee]:
        return db.session.scalars(select(Attendee).where(Attendee.event_id == self.event.id)
                                  .order_by(Attendee.id)).all()

    def guest(self) -> Attendee | None:
        guests = self.guests()
        return self.rng.choice(guests) if guests else None

    def when(self) -> datetime:
        return min(now_utc(), self.event.starts_at + timedelta(minutes=self.rng.randrange(90)))

    def register(self):
        make_attendee(self.event, source=self.rng.choice([AttendeeSource.WALK_IN,
                                                          AttendeeSource.MANUAL]))

    def import_list(self):
        self.n += 1
        rows = "".join(f"Guest{self.n} Number{i},g{self.n}.{i}@example.com,I{self.n}-{i}\n"
                       for i in range(self.rng.randrange(1, 4)))
        apply_import(self.event, ("name,email,ticket\n" + rows).encode())

    def invite(self):
        if guest := self.guest():
            queue_invitation(guest)

    def _scan(self, guest, **kw):
        answer = check_in(self.event, guest.card_code, scanned_at=self.when(), **kw)
        if answer.ok:
            self.undoable.append(answer.checkin.id)

    def enter(self):
        if guest := self.guest():
            self._scan(guest)

    def leave(self):
        if guest := self.guest():
            self._scan(guest, kind="exit")

    def offline_upload(self):
        # A door that was offline let the guest in, maybe earlier than the recorded entry.
        if guest := self.guest():
            self._scan(guest, queued=True, nonce=f"offline-{self.rng.random()}")

    def unknown_code(self):
        check_in(self.event, f"NOBODY-{self.rng.random()}")

    def undo(self):
        if self.undoable:
            log_id = self.undoable.pop(self.rng.randrange(len(self.undoable)))
            try:
                undo_check_in(self.event, log_id)
            except DomainError:  # no longer undoable (its guest was removed, say)
                db.session.rollback()

    def connect(self):
        guests = self.guests()
        if len(guests) >= 2:
            a, b = self.rng.sample(guests, 2)
            record_connection(a, b)
            db.session.commit()

    def disconnect(self):
        connections = db.session.scalars(select(Connection).where(
            Connection.event_id == self.event.id)).all()
        if connections:
            c = self.rng.choice(connections)
            remove_connection(db.session.get(Attendee, c.low_id),
                              db.session.get(Attendee, c.high_id))

    def remove(self):
        if guest := self.guest():
            remove_attendee(guest)

    def step(self):
        actions = [self.register, self.register, self.import_list, self.invite, self.enter,
                   self.enter, self.leave, self.offline_upload, self.unknown_code, self.undo,
                   self.connect, self.connect, self.disconnect, self.remove]
        action = self.rng.choice(actions)
        action()
        return action.__name__


@pytest.mark.parametrize("seed", [1, 2])
def test_a_random_evening_keeps_the_figures_equal_to_a_recount(app, seed):
    event = make_event(starts_at=now_utc() - timedelta(hours=1))
    other = make_event()
    make_attendee(other)
    door = Door(event, seed)
    for _ in range(12):
        door.register()
    done = []
    for _ in range(80):
        done.append(door.step())
        assert_kept_equals_recount(event)
    assert figures(event).connections and figures(event).checked_in, done
    assert figures(other) == counted_figures(other)
    assert figures(other).registered == 1


def test_a_removed_guest_takes_their_scans_and_connections_off_the_figures(app):
    event = make_event()
    ana, luis, pedro = (make_attendee(event) for _ in range(3))
    check_in(event, ana.card_code)
    check_in(event, luis.card_code)
    record_connection(ana, luis)
    record_connection(ana, pedro)
    db.session.commit()
    assert (figures(event).scans, figures(event).connections) == (2, 2)
    remove_attendee(ana)
    kept = figures(event)
    assert (kept.registered, kept.checked_in, kept.scans, kept.connections) == (2, 1, 1, 0)
    assert connection_between(luis, pedro) is None
    assert_kept_equals_recount(event)


def assert_deleted_with_its_figures(event, other):
    """Delete ``event`` in SQL (the cascade, not the ORM): its figures and arrivals go with it,
    ``other``'s stay as a recount says."""
    event_id = event.id
    db.session.execute(delete(Event).where(Event.id == event_id))
    db.session.commit()
    assert db.session.get(EventFigures, event_id) is None
    assert not db.session.scalars(select(EventArrivals).filter_by(event_id=event_id)).all()
    assert figures(other) == counted_figures(other)


def test_a_deleted_event_takes_its_figures_and_leaves_the_others(app):
    event, other = make_event(), make_event()
    guest = make_attendee(event)
    make_attendee(other)
    check_in(event, guest.card_code)
    assert_deleted_with_its_figures(event, other)


def test_a_bulk_write_that_skips_the_orm_is_counted_too(app):
    event = make_event()
    guest = make_attendee(event)
    at = event.starts_at + timedelta(minutes=3)
    db.session.execute(Attendee.__table__.update().where(Attendee.id == guest.id)
                       .values(checked_in_at=at, inside=True))
    db.session.commit()
    assert (figures(event).checked_in, figures(event).inside) == (1, 1)
    assert arrival_counts(event) == {datetime.fromtimestamp(int(at.timestamp()) // 300 * 300,
                                                            UTC): 1}
    assert_kept_equals_recount(event)


def test_a_guest_checked_in_and_their_event_deleted_in_one_transaction_leave_no_figures(app):
    # On PostgreSQL the triggers run at commit (migration 0023), after the event is gone:
    # they must not write an arrival for it then.
    event, other = make_event(), make_event()
    guest = make_attendee(event)
    walk_in = make_attendee(event, commit=False)
    walk_in.checked_in_at, walk_in.inside = now_utc(), True
    db.session.flush()
    db.session.execute(Attendee.__table__.update().where(Attendee.id == guest.id)
                       .values(checked_in_at=now_utc(), inside=True))
    assert_deleted_with_its_figures(event, other)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time")
def test_a_check_in_neither_waits_for_nor_deadlocks_with_another_writer_of_the_event(app):
    # Another transaction changes the event's figures and, before it commits, a guest who is
    # checking in meanwhile, as an import's swap does (it adds guests, then updates others).
    # With the figures' row locked from that first write (migration 0021), the check-in
    # waited for it, and the swap's update then waited for the check-in: a deadlock. Now the
    # row is written as each commits (0023); a lock timeout turns a wait into a failure here.
    event = make_event()
    ana, luis = make_attendee(event), make_attendee(event)
    ana_id, luis_id = ana.id, luis.id
    with db.engine.connect() as swap:
        swap.execute(text("SET lock_timeout = '2s'"))
        swap.execute(text("UPDATE attendees SET invited_at = now() WHERE id = :id"),
                     {"id": luis_id})
        db.session.execute(text("SET lock_timeout = '2s'"))
        answer = check_in(event, ana.card_code)
        swap.execute(text("UPDATE attendees SET ticket_type = 'VIP' WHERE id = :id"),
                     {"id": ana_id})
        swap.commit()
    assert answer.ok
    db.session.expire_all()
    assert db.session.get(Attendee, ana_id).ticket_type == "VIP"
    kept = figures(event)
    assert (kept.invited, kept.checked_in, kept.inside, kept.scans) == (1, 1, 1, 1)
    assert_kept_equals_recount(event)

@pytest.mark.slow
def test_the_migration_counts_the_existing_events(app):
    event = make_event()
    guests = [make_attendee(event) for _ in range(4)]
    for guest in guests[:3]:
        check_in(event, guest.card_code, scanned_at=event.starts_at + timedelta(minutes=7))
    check_in(event, guests[0].card_code, kind="exit")
    record_connection(guests[0], guests[1])
    db.session.commit()
    expected = counted_figures(event)
    db.session.remove()
    downgrade(revision="0016")
    upgrade()
    event = db.session.get(Event, event.id)
    assert figures(event) == expected
    assert_kept_equals_recount(event)
    assert _triggers() >= TRIGGERS


def test_the_live_fragment_reads_the_kept_figures_in_one_statement(client, owner, event):
    make_attendee(event)
    login(client, owner)
    url = f"/console/events/{event.slug}/dashboard/live"
    client.get(url)
    with counted() as statements:
        html = client.get(url).get_data(as_text=True)
    figures_read = [s for s in statements if "event_figures" in s or "event_arrivals" in s]
    assert len(figures_read) == 1, statements
    assert not [s for s in statements if "FROM attendees" in s or "FROM connections" in s]
    assert '<strong id="fig-registered">1</strong>' in html


def test_the_live_fragments_one_read_equals_the_figures_and_the_arrivals(app):
    start = now_utc().replace(second=0, microsecond=0) - timedelta(hours=1)
    event = make_event(starts_at=start - timedelta(minutes=start.minute % 5))  # a bucket's start
    guests = [make_attendee(event) for _ in range(5)]
    assert figures_and_arrivals(event) == (figures(event), arrivals(event))  # nobody yet
    for minutes, guest in zip((2, 3, 14, 41), guests, strict=False):
        check_in(event, guest.card_code, scanned_at=event.starts_at + timedelta(minutes=minutes))
    record_connection(guests[0], guests[1])
    db.session.commit()
    kept, chart = figures_and_arrivals(event)
    assert (kept, chart) == (figures(event), arrivals(event))
    assert (kept.checked_in, kept.connections) == (4, 1)
    assert sum(n for _at, n in chart) == 4 and sum(1 for _at, n in chart if n) == 3
    assert figures_and_arrivals(event, timedelta(minutes=15)) == (
        figures(event), arrivals(event, timedelta(minutes=15)))
    # An event whose kept row is missing is counted from its rows, as figures() does.
    db.session.execute(delete(EventFigures).where(EventFigures.event_id == event.id))
    db.session.commit()
    assert figures_and_arrivals(event) == (counted_figures(event), arrivals(event))
