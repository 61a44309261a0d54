"""A check-in at the door rush runs only the statements its rules need (issue 14): the token,
the event and role, the guest with their card, the conditional entry, the log row."""

import contextlib

import pytest
from sqlalchemy import event as sa_event

from checkin.accounts.models import Role
from checkin.extensions import db
from tests.conftest import login
from tests.factories import make_api_token, make_attendee, make_staff


@contextlib.contextmanager
def statements():
    """The SQL statements run inside the block (BEGIN and COMMIT are no statements here)."""
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def headers(owner):
    return {"Authorization": f"Bearer {make_api_token(owner)[1]}"}


def api_scan(client, event, headers, **payload):
    return client.post(f"/api/v1/events/{event.slug}/checkins", headers=headers, json=payload)


def test_an_api_check_in_runs_five_statements_first_time_and_repeated(client, event, headers):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    code, path = ana.card_code, f"/api/v1/events/{event.slug}/checkins"
    client.post(path, headers=headers, json={"code": "x"})  # the token's first use is written
    with statements() as first:
        answer = client.post(path, headers=headers, json={"code": code, "gate": "Door 1"})
    assert answer.status_code == 201
    assert answer.json["attendee"]["display_name"] == "Ana Núñez"
    assert answer.json["attendee"]["inside"] is True
    assert answer.json["checkin"]["gate"] == "Door 1" and answer.json["checkin"]["id"]
    assert len(first) == 5, first
    with statements() as repeat:
        again = client.post(path, headers=headers, json={"code": code})
    assert again.json["reason"] == "already_checked_in"
    assert again.json["previous"]["gate"] == "Door 1"
    assert len(repeat) == 5, repeat
    assert not any(s.startswith("UPDATE") for s in repeat)  # already inside: nothing to change


def test_a_door_page_scan_answers_from_what_it_wrote(client, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    login(client, make_staff(event, Role.DOOR))
    door, code = f"/console/events/{event.slug}/door", ana.card_code
    with statements() as seen:
        first = client.post(door + "/scans", json={"code": code, "nonce": "n-1",
                                                   "device": "d-1", "gate": "Door 2"}).get_json()
    assert first["status"] == "ok"
    guest = first["attendee"]
    assert guest["n"] == "Ana Núñez" and guest["in"] is True and guest["g"] == "Door 2"
    # The organizer, the event and role, the nonce, the guest, the device's repeat, the
    # conditional entry, the log row and the guest as the door shows them (with their face).
    assert len(seen) == 8, seen
    roster = client.get(door + "/roster").get_json()["attendees"]
    assert [row for row in roster if row["i"] == ana.id] == [guest]  # the same as a fresh read


def test_the_answer_shows_the_stored_values(client, event, headers):
    """The answer is built without reading the row back: it must still say what was stored."""
    ana = make_attendee(event)
    data = api_scan(client, event, headers, code=ana.card_code, gate="Door\x1b[31m 1",
                    scanned_at=(event.starts_at.astimezone().isoformat())).json
    stored = client.get(f"/api/v1/events/{event.slug}/checkins", headers=headers).json
    assert data["checkin"] == stored["items"][0]
    assert data["checkin"]["scanned_at"].endswith("+00:00")


def test_a_token_in_use_is_marked_used_at_most_once_a_minute(client, owner, event):
    from datetime import timedelta

    from checkin.accounts.models import ApiToken

    token, secret = make_api_token(owner)
    auth = {"Authorization": f"Bearer {secret}"}
    assert token.last_used_at is None
    assert client.get("/api/v1/events", headers=auth).status_code == 200
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    with statements() as seen:
        client.get("/api/v1/events", headers=auth)
    assert db.session.get(ApiToken, token.id).last_used_at == first
    assert not [s for s in seen if s.startswith("UPDATE api_tokens")]
    token.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/events", headers=auth)
    assert db.session.get(ApiToken, token.id).last_used_at > first - timedelta(minutes=2)
