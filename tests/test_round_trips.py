"""On PostgreSQL a request that only reads sends its statements and nothing else — no BEGIN
before them, no ROLLBACK after (issue 14) — while whatever writes runs in one transaction from
its first write, lock or savepoint on (checkin.transactions.init_app), and a write that is one
statement on its own is that one round trip (write_alone)."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from bench.round_trips import round_trips
from checkin import ratelimit
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.transactions import lock_event_for_writing, reads_only, write_alone
from tests.conftest import ON_POSTGRES
from tests.factories import make_attendee, make_connection, make_note
from tests.people_helpers import sign_in_as

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="round trips to PostgreSQL")


@postgres_only
def test_a_health_check_is_one_round_trip(client):
    client.get("/healthz")  # the engine's first connection asks the server about itself
    with round_trips(db.engine) as seen:
        answer = client.get("/healthz")
    assert answer.json == {"status": "ok"}
    assert seen.count == 1 and seen.commands == ["SELECT 1"], seen


@postgres_only
def test_a_card_page_sends_its_one_query_and_no_transaction(client, event):
    ana = make_attendee(event, first_name="Ana", phone="+34 600 000 000", share_phone=True)
    luis = make_attendee(event, first_name="Luis")
    make_note(luis, make_connection(luis, ana), "Knows printers")
    sign_in_as(client, luis)
    client.get(f"/c/{ana.card_code}")
    with round_trips(db.engine) as seen:
        page = client.get(f"/c/{ana.card_code}")
    assert "+34 600 000 000" in page.text and "Knows printers" in page.text
    assert seen.count == 1 and seen.statements == 1 and seen.commands == [], seen


@postgres_only
def test_connect_writes_in_transactions_that_begin_before_their_first_write(client, event):
    ana, luis = make_attendee(event), make_attendee(event)
    sign_in_as(client, luis)
    with round_trips(db.engine) as seen:
        answer = client.post(f"/c/{ana.card_code}/connect")
    assert answer.status_code == 303
    # Outside a transaction: the reads, and the rate limit's count (and its first hit's
    # clean-up), each one statement on its own (write_alone).
    alone = ("SELECT", "INSERT INTO rate_limits", "DELETE FROM rate_limits")
    outside = seen.sent_outside_a_transaction()
    assert outside and all(s.startswith(alone) for s in outside), [s[:60] for s in outside]
    assert any(s.startswith("INSERT INTO connections") for s in seen.sql)
    assert seen.commands.count("BEGIN") == seen.commands.count("COMMIT") >= 1, seen


def test_a_use_case_that_fails_after_writing_leaves_nothing_written(app, event):
    """Both databases: reads first (outside a transaction on PostgreSQL), then two writes, then
    the failure: neither write is there for anyone else."""
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Person))
    db.session.add(Person(community_id=event.community_id, display_name="Half", email="h@x.org"))
    db.session.flush()
    db.session.execute(update(Event).where(Event.id == event.id).values(name="Half done"))
    db.session.rollback()
    with db.engine.connect() as other:
        assert other.scalar(select(func.count()).select_from(Person)) == before
        assert other.scalar(select(Event.name).where(Event.id == event.id)) != "Half done"


@postgres_only
def test_a_locking_read_holds_its_lock_until_the_commit(app, event):
    db.session.commit()
    lock_event_for_writing(event.id)  # SELECT … FOR NO KEY UPDATE: it begins the transaction
    with db.engine.connect() as other:
        with pytest.raises(OperationalError, match="could not obtain lock"):
            other.execute(text("SELECT id FROM events WHERE id = :id FOR UPDATE NOWAIT"),
                          {"id": event.id})
        other.rollback()
        db.session.commit()
        assert other.execute(text("SELECT id FROM events WHERE id = :id FOR UPDATE NOWAIT"),
                             {"id": event.id}).scalar() == event.id


@postgres_only
def test_reads_that_need_one_snapshot_keep_their_transaction(app, event):
    make_attendee(event)
    db.session.commit()
    with round_trips(db.engine) as seen:
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        first = db.session.scalar(select(func.count()).select_from(Attendee))
    with db.engine.connect() as other:  # someone registers in between
        other.execute(text("UPDATE people SET display_name = 'Changed'"))
        other.commit()
    names = db.session.scalars(select(Person.display_name)).all()
    assert first == 1 and "Changed" not in names  # both read from one snapshot
    db.session.commit()
    assert seen.commands[0] == "BEGIN ISOLATION LEVEL REPEATABLE READ", seen


@postgres_only
def test_a_server_side_cursor_reads_inside_a_transaction(app, event):
    for _ in range(3):
        make_attendee(event, commit=False)
    db.session.commit()
    rows = db.session.execute(select(Attendee.id).execution_options(yield_per=2)).all()
    assert len(rows) == 3


@pytest.mark.parametrize("statement", [
    "SELECT 1",
    "SELECT attendees.id FROM attendees WHERE attendees.share_phone AND attendees.updated_at > %s",
    "  select count(*) from introductions",
    "WITH found AS (SELECT id FROM people) SELECT count(*) FROM found",
])
def test_a_plain_read_runs_outside_a_transaction(statement):
    assert reads_only(statement)


@pytest.mark.parametrize("statement", [
    "INSERT INTO people (display_name) VALUES (%s)",
    "UPDATE attendees SET inside = true WHERE id = %s AND inside IS FALSE",
    "DELETE FROM notes WHERE id = %s",
    "SELECT events.id FROM events WHERE events.id = %s FOR NO KEY UPDATE",
    "SELECT id FROM outbox_messages FOR UPDATE SKIP LOCKED",
    "SELECT id FROM events FOR KEY SHARE",
    "WITH gone AS (DELETE FROM notes RETURNING id) SELECT count(*) FROM gone",
    "SELECT * INTO backup FROM people",
    "SELECT nextval(pg_get_serial_sequence('people', 'id'))",
    "SELECT pg_advisory_xact_lock(1)",
    "SAVEPOINT sa_savepoint_1",
    "TRUNCATE people",
    "/* a comment first */ SELECT 1",
])
def test_anything_else_begins_the_transaction_first(statement):
    assert not reads_only(statement)


@postgres_only
def test_a_rate_limit_hit_is_one_round_trip_and_no_transaction(app):
    db.session.commit()
    with round_trips(db.engine) as first:
        assert ratelimit.allow("connect:test", 3, timedelta(minutes=1))
    with round_trips(db.engine) as second:
        assert ratelimit.allow("connect:test", 3, timedelta(minutes=1))
    # The window's first hit also forgets the windows before it; the next hits only count.
    assert first.count == 2 and second.count == 1 and second.commands == [], second


def test_parallel_hits_are_each_counted_once(app):
    """Both databases: the count is what a recount of the hits says, however they interleave."""
    answers, start = [], threading.Barrier(8)

    def hit():
        with app.app_context():
            start.wait()
            answers.append(ratelimit.allow("ask:race", 5, timedelta(hours=1)))

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 3 + [True] * 5
    assert db.session.scalar(select(ratelimit.RateLimitCounter.hits)
                             .filter_by(key="ask:race")) == 8


def test_a_write_alone_after_another_write_commits_both(app, event):
    db.session.commit()
    db.session.add(Person(community_id=event.community_id, display_name="First", email="f@x.org"))
    write_alone(update(Event).where(Event.id == event.id).values(name="Renamed"))
    db.session.rollback()  # nothing left to roll back: both were committed together
    with db.engine.connect() as other:
        assert other.scalar(select(Event.name).where(Event.id == event.id)) == "Renamed"
        assert other.scalar(select(func.count()).select_from(Person)
                            .where(Person.display_name == "First")) == 1
