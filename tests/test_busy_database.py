"""SQLite's one write lock held by someone else: the web answers 503 with Retry-After (never
500), and the import CLI waits and finishes."""

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from checkin.extensions import db
from checkin.people.models import Attendee
from tests.conftest import ON_POSTGRES
from tests.factories import make_api_token, make_attendee, make_event

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock")
FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture
def short_wait(app, monkeypatch):
    """Connections give up on the lock after 0.2 s instead of 10 s."""
    import checkin

    monkeypatch.setattr(checkin, "SQLITE_BUSY_TIMEOUT_MS", 200)
    db.session.commit()
    db.engine.dispose()


class WriteLock:
    """Another process's long write: SQLite's write lock held for ``seconds``."""

    def __init__(self, database_url: str, seconds: float):
        self.path = database_url.removeprefix("sqlite:///")
        self.seconds, self.held = seconds, threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.held.set()
        time.sleep(self.seconds)
        conn.execute("ROLLBACK")
        conn.close()

    def __enter__(self):
        self.thread.start()
        self.held.wait(5)
        return self

    def __exit__(self, *exc):
        self.thread.join()


def test_a_locked_database_answers_503_with_retry_after(short_wait, client, owner,
                                                        database_url):
    event = make_event(owner, walk_ins_allowed=True)
    ana = make_attendee(event)
    token = make_api_token(owner)[1]
    db.session.commit()
    with WriteLock(database_url, 1.5):
        scan = client.post(f"/api/v1/events/{event.slug}/checkins",
                           headers={"Authorization": f"Bearer {token}"},
                           json={"code": ana.card_code, "type": "entry"})
        joined = client.post(f"/e/{event.slug}/join",
                             data={"display_name": "Zoe", "email": "zoe@example.org"})
    assert scan.status_code == 503 and scan.headers["Retry-After"] == "2"
    assert scan.json["error"]["code"] == "busy"
    assert joined.status_code == 503 and joined.headers["Retry-After"] == "2"
    assert "The server is busy. Try again in a moment." in joined.text
    again = client.post(f"/api/v1/events/{event.slug}/checkins",
                        headers={"Authorization": f"Bearer {token}"},
                        json={"code": ana.card_code, "type": "entry"})
    assert again.status_code == 201


def test_the_import_cli_waits_for_a_busy_database(short_wait, runner, event, database_url):
    db.session.commit()
    with WriteLock(database_url, 2.5):
        result = runner.invoke(args=["attendees", "import", event.slug,
                                     str(FIXTURES / "plain_en.csv")])
    assert result.exit_code == 0, result.output
    assert f"Imported into {event.slug}: 5 added" in result.output
    assert db.session.query(Attendee).count() == 5
