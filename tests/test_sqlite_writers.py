"""SQLite's writers take turns on a lock that wakes the next one (``checkin.writers``): a
writer waits for the turn before it writes, a turn never given back makes the next request
answer 503 after the busy timeout and is freed when its process is killed, every way a
transaction ends gives the turn back, a connection that writes inside another's transaction
in the same thread is not kept waiting for itself, and writers in several processes all
finish."""

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

import checkin
from checkin.extensions import db
from checkin.people.models import Attendee
from checkin.writers import TURN_FILE_SUFFIX, TurnTimeout, WriterQueueConnection
from tests.conftest import ON_POSTGRES
from tests.factories import make_api_token, make_attendee, make_event

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's writers")

HOLD_THE_TURN = """
import sqlite3, sys, time
from checkin.writers import WriterQueueConnection
connection = sqlite3.connect(sys.argv[1], factory=WriterQueueConnection)
connection.queue_for(sys.argv[1], 10_000)
connection.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(60)
"""

WRITE_FIFTY_TIMES = """
import sqlite3, sys
from checkin.writers import WriterQueueConnection
connection = sqlite3.connect(sys.argv[1], factory=WriterQueueConnection)
connection.execute("PRAGMA busy_timeout=10000")
connection.queue_for(sys.argv[1], 10_000)
for _ in range(50):
    connection.execute("UPDATE tally SET n = n + 1")
    connection.commit()
"""


@pytest.fixture
def short_wait(app, monkeypatch):
    """Connections give up on the turn (and on SQLite's lock) after 0.2 s instead of 10 s."""
    monkeypatch.setattr(checkin, "SQLITE_BUSY_TIMEOUT_MS", 200)
    db.session.commit()
    db.engine.dispose()


@pytest.fixture
def database_path(database_url):
    return database_url.removeprefix("sqlite:///")


def queued(path: str) -> WriterQueueConnection:
    connection = sqlite3.connect(path, factory=WriterQueueConnection,
                                 check_same_thread=False)
    connection.queue_for(path, 10_000)
    return connection


def turn_is_free(path: str) -> bool:
    fd = os.open(path + TURN_FILE_SUFFIX, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


class TurnHeldElsewhere:
    """Another process that takes the turn (and SQLite's lock) and never gives it back."""

    def __init__(self, path: str):
        self.process = subprocess.Popen([sys.executable, "-c", HOLD_THE_TURN, path],
                                        stdout=subprocess.PIPE, text=True)

    def __enter__(self):
        assert self.process.stdout.readline().strip() == "holding"
        return self

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(5)

    def __exit__(self, *exc):
        self.kill()
        self.process.stdout.close()


def api_scan(client, slug, token, code):
    return client.post(f"/api/v1/events/{slug}/checkins",
                       headers={"Authorization": f"Bearer {token}"},
                       json={"code": code, "type": "entry"})


def test_a_writer_waits_for_the_turn_before_it_writes(app, client, owner, database_path):
    event = make_event(owner)
    ana = make_attendee(event)
    token = make_api_token(owner)[1]
    db.session.commit()
    db.engine.dispose()
    seen: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def hold():
        other = queued(database_path)
        other.execute("UPDATE events SET name = name")
        holding.set()
        release.wait(5)
        seen.append("the other writer commits")
        other.commit()
        other.close()

    def traced(dbapi_connection, _record):
        def trace(statement):
            if statement.lstrip().upper().startswith(("UPDATE", "INSERT")):
                seen.append("this writer writes")
        dbapi_connection.set_trace_callback(trace)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    from sqlalchemy import event as sa_event

    sa_event.listen(db.engine, "connect", traced)
    threading.Timer(0.3, release.set).start()
    try:
        scan = api_scan(client, event.slug, token, ana.card_code)
    finally:
        sa_event.remove(db.engine, "connect", traced)
        release.set()
        holder.join()
    assert scan.status_code == 201
    # SQLite's busy handler would have tried the UPDATE at once and slept between retries;
    # with the turn it is not sent until the other writer has committed.
    assert seen[0] == "the other writer commits" and "this writer writes" in seen[1:]
    assert turn_is_free(database_path)


def test_a_connection_waits_for_the_turn_then_keeps_its_busy_timeout(database_path):
    first, second = queued(database_path), queued(database_path)
    first.execute("CREATE TABLE tally (n INTEGER)")
    first.execute("INSERT INTO tally VALUES (0)")
    first.execute("PRAGMA busy_timeout=10000")
    second.execute("PRAGMA busy_timeout=10000")
    threading.Timer(0.2, first.commit).start()  # in another thread: this one waits for it
    second.execute("UPDATE tally SET n = n + 1")
    second.commit()
    assert second.execute("SELECT n FROM tally").fetchone() == (1,)
    assert second.execute("PRAGMA busy_timeout").fetchone() == (10_000,)
    first.close()
    second.close()


@pytest.mark.parametrize("where", ["main thread", "another thread"])
def test_a_turn_never_given_back_answers_503_and_a_killed_holder_frees_it(
        short_wait, client, owner, database_path, where):
    event = make_event(owner)
    ana = make_attendee(event)
    token = make_api_token(owner)[1]
    db.session.commit()
    slug, code = event.slug, ana.card_code
    with TurnHeldElsewhere(database_path) as holder:
        answers = []
        if where == "main thread":
            answers.append(api_scan(client, slug, token, code))
        else:
            other = client.application.test_client()
            thread = threading.Thread(target=lambda: answers.append(
                api_scan(other, slug, token, code)))
            thread.start()
            thread.join(10)
        scan = answers[0]
        assert scan.status_code == 503 and scan.headers["Retry-After"] == "2"
        assert scan.json["error"]["code"] == "busy"
        assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        holder.kill()
        again = api_scan(client, slug, token, code)
    assert again.status_code == 201
    assert db.session.get(Attendee, ana.id).inside is True


def test_writers_in_several_processes_all_finish(database_path):
    setup = queued(database_path)
    setup.execute("CREATE TABLE tally (n INTEGER)")
    setup.execute("INSERT INTO tally VALUES (0)")
    setup.commit()
    writers = [subprocess.Popen([sys.executable, "-c", WRITE_FIFTY_TIMES, database_path])
               for _ in range(3)]
    assert [writer.wait(60) for writer in writers] == [0, 0, 0]
    assert setup.execute("SELECT n FROM tally").fetchone() == (150,)
    assert turn_is_free(database_path)
    setup.close()


def _commit(connection):
    connection.execute("UPDATE tally SET n = n + 1")
    connection.commit()


def _rollback(connection):
    connection.execute("UPDATE tally SET n = n + 1")
    connection.rollback()


def _failed_statement_then_rollback(connection):
    connection.execute("UPDATE tally SET n = n + 1")
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute("INSERT INTO tally VALUES (NULL)")
    connection.rollback()


def _failed_first_write(connection):
    with pytest.raises(sqlite3.OperationalError):
        connection.execute("INSERT INTO no_such_table VALUES (1)")
    connection.rollback()


def _autocommit(connection):
    connection.isolation_level = None
    connection.execute("UPDATE tally SET n = n + 1")


def _closed_mid_transaction(connection):
    connection.execute("UPDATE tally SET n = n + 1")
    connection.close()


@pytest.mark.parametrize("end", [_commit, _rollback, _failed_statement_then_rollback,
                                 _failed_first_write, _autocommit, _closed_mid_transaction])
def test_every_way_a_transaction_ends_gives_the_turn_back(database_path, end):
    setup = sqlite3.connect(database_path)
    setup.execute("CREATE TABLE tally (n INTEGER NOT NULL)")
    setup.execute("INSERT INTO tally VALUES (0)")
    setup.commit()
    setup.close()
    connection = queued(database_path)
    connection.execute("UPDATE tally SET n = n")
    assert not turn_is_free(database_path)  # the transaction is open: the turn is held
    connection.commit()
    end(connection)
    assert turn_is_free(database_path)
    connection.close()


def test_reads_take_no_turn(database_path):
    reader = queued(database_path)
    reader.queue_for(database_path, 100)
    with TurnHeldElsewhere(database_path):
        assert reader.execute("SELECT count(*) FROM events").fetchone() == (0,)
        assert reader.execute("WITH e AS (SELECT id FROM events) SELECT count(*) FROM e"
                              ).fetchone() == (0,)
        assert reader.execute("PRAGMA foreign_keys").fetchone() == (0,)
    reader.close()


def test_a_write_inside_another_connections_transaction_is_not_kept_waiting(
        short_wait, owner, database_path):
    outer = db.engine.raw_connection()
    try:
        outer.driver_connection.execute("SAVEPOINT outer_work")  # holds the turn, no write yet
        assert not turn_is_free(database_path)
        event = make_event(owner)  # this thread, another connection: SQLite lets it write
        db.session.commit()
        assert event.id is not None
    finally:
        outer.driver_connection.execute("ROLLBACK")
        outer.close()
    assert turn_is_free(database_path)


def test_the_wait_gives_up_at_the_busy_timeout(database_path):
    waiter = queued(database_path)
    waiter.queue_for(database_path, 100)
    with TurnHeldElsewhere(database_path) as holder:
        with pytest.raises(TurnTimeout, match="database is locked"):
            waiter.execute("UPDATE events SET name = name")
        assert not waiter.in_transaction
        holder.kill()
        waiter.execute("UPDATE events SET name = name")
        waiter.commit()
    waiter.close()


COMMIT_THEN_DIE = """
import os, signal, sqlite3, sys
from checkin import create_app
from checkin.extensions import db
from sqlalchemy import text
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1], "SECRET_KEY": "x"},
                 instance_path=sys.argv[2])
with app.app_context():
    for n in range(300):
        db.session.execute(text("INSERT INTO tally VALUES (:n)"), {"n": n})
        db.session.commit()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_process_loses_nothing_it_committed(database_path, tmp_path):
    setup = sqlite3.connect(database_path)
    setup.execute("CREATE TABLE tally (n INTEGER NOT NULL)")
    setup.commit()
    setup.close()
    killed = subprocess.run([sys.executable, "-c", COMMIT_THEN_DIE, database_path,
                             str(tmp_path / "instance")])
    assert killed.returncode == -signal.SIGKILL
    after = sqlite3.connect(database_path)
    assert after.execute("SELECT count(*), max(n) FROM tally").fetchone() == (300, 299)
    assert after.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    after.close()
    assert turn_is_free(database_path)


def test_the_wal_stays_bounded(app, database_path):
    """SQLite checkpoints the WAL once it holds ``SQLITE_WAL_CHECKPOINT_PAGES`` pages, so the
    file stops growing there (plus the transaction that crossed the line)."""
    from sqlalchemy import text

    db.session.execute(text("CREATE TABLE blobs (b BLOB NOT NULL)"))
    db.session.commit()
    pages = checkin.SQLITE_WAL_CHECKPOINT_PAGES
    for _ in range(pages // 4 + 300):  # each commit writes 4 pages and more
        db.session.execute(text("INSERT INTO blobs VALUES (zeroblob(12000))"))
        db.session.commit()
    frame = 4096 + 24
    assert os.path.getsize(database_path + "-wal") <= 32 + (pages + 20) * frame
    assert db.session.execute(text("SELECT count(*) FROM blobs")).scalar() == pages // 4 + 300
