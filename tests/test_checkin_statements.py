"""A check-in at the door rush runs only the statements its rules need (issue 14): the token
with the event and role and the guest with their card and latest entry (one read, by API), the
conditional entry, the log row."""

import pytest
from sqlalchemy import event as sa_event

from checkin.accounts.models import Role
from checkin.extensions import db
from tests.conftest import ON_POSTGRES, login
from tests.factories import make_api_token, make_attendee, make_staff
from tests.statements import statements_run


@pytest.fixture
def headers(owner):
    return {"Authorization": f"Bearer {make_api_token(owner)[1]}"}


def api_scan(client, event, headers, **payload):
    return client.post(f"/api/v1/events/{event.slug}/checkins", headers=headers, json=payload)


def test_an_api_check_in_runs_two_or_three_statements_first_time_and_two_repeated(
        client, event, headers):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    code, path = ana.card_code, f"/api/v1/events/{event.slug}/checkins"
    client.post(path, headers=headers, json={"code": "x"})  # the token's first use is written
    with statements_run() as first:
        answer = client.post(path, headers=headers, json={"code": code, "gate": "Door 1"})
    assert answer.status_code == 201
    assert answer.json["attendee"]["display_name"] == "Ana Núñez"
    assert answer.json["attendee"]["inside"] is True
    assert answer.json["checkin"]["gate"] == "Door 1" and answer.json["checkin"]["id"]
    # The token with the event and role and the guest with their card (one read), the entry and
    # the log row (one statement on PostgreSQL, two on SQLite).
    assert len(first) == (2 if ON_POSTGRES else 3), first
    assert first[0].startswith("SELECT api_tokens.id") and "attendees.card_code" in first[0]
    with statements_run() as repeat:
        again = client.post(path, headers=headers, json={"code": code})
    assert again.json["reason"] == "already_checked_in"
    assert again.json["previous"]["gate"] == "Door 1"
    # The guest's latest entry came with the guest, read with the token and event; the log.
    assert len(repeat) == 2, repeat
    assert not any(s.startswith("UPDATE") for s in repeat)  # already inside: nothing to change


def test_a_door_page_scan_answers_from_what_it_wrote(client, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    login(client, make_staff(event, Role.DOOR))
    door, code = f"/console/events/{event.slug}/door", ana.card_code
    with statements_run() as seen:
        first = client.post(door + "/scans", json={"code": code, "nonce": "n-1",
                                                   "device": "d-1", "gate": "Door 2"}).get_json()
    assert first["status"] == "ok"
    guest = first["attendee"]
    assert guest["n"] == "Ana Núñez" and guest["in"] is True and guest["g"] == "Door 2"
    # The organizer with the event and their role, the guest with their face and what the
    # rules ask of the log (an earlier scan with this nonce, this device's scan of them
    # moments ago), the conditional entry and the log row (one statement on PostgreSQL).
    assert len(seen) == (3 if ON_POSTGRES else 4), seen
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
    with statements_run() as seen:
        client.get("/api/v1/events", headers=auth)
    assert db.session.get(ApiToken, token.id).last_used_at == first
    assert not [s for s in seen if s.startswith("UPDATE api_tokens")]
    token.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/events", headers=auth)
    assert db.session.get(ApiToken, token.id).last_used_at > first - timedelta(minutes=2)


def test_the_door_page_answers_an_exit_as_a_fresh_read_would(client, event):
    ana = make_attendee(event, first_name="Ana")
    login(client, make_staff(event, Role.DOOR))
    door = f"/console/events/{event.slug}/door"
    client.post(door + "/scans", json={"code": ana.card_code, "nonce": "in-1"})
    left = client.post(door + "/scans", json={"code": ana.card_code, "type": "exit",
                                              "nonce": "out-1"}).get_json()
    assert left["status"] == "ok" and left["attendee"]["in"] is False
    assert left["attendee"]["out"] == left["scanned_at"]
    roster = client.get(door + "/roster").get_json()["attendees"]
    assert [row for row in roster if row["i"] == ana.id] == [left["attendee"]]


def test_a_repeat_after_many_refused_repeats_still_names_the_entry_that_let_them_in(
        client, event, headers):
    ana = make_attendee(event)
    first = api_scan(client, event, headers, code=ana.card_code, gate="Door 1").json
    for gate in ("Door 2", "Door 3", "Door 2"):
        refused = api_scan(client, event, headers, code=ana.card_code, gate=gate).json
        assert refused["reason"] == "already_checked_in"
        assert refused["previous"] == {"scanned_at": first["checkin"]["scanned_at"],
                                       "gate": "Door 1"}


def test_a_nonce_seen_with_a_code_that_names_nobody_is_replayed_or_refused(client, event,
                                                                           headers):
    first = api_scan(client, event, headers, code="NOBODY-1", nonce="n-unknown")
    assert first.status_code == 404 and first.json["reason"] == "unknown_code"
    again = api_scan(client, event, headers, code="NOBODY-1", nonce="n-unknown")
    assert again.status_code == 404 and again.json["replayed"] is True
    assert again.json["checkin"]["id"] == first.json["checkin"]["id"]
    other = api_scan(client, event, headers, code="NOBODY-2", nonce="n-unknown")
    assert other.status_code == 409 and other.json["error"]["code"] == "nonce_reused"
    log = client.get(f"/api/v1/events/{event.slug}/checkins", headers=headers).json
    assert log["total"] == 1


def test_a_guest_loaded_before_the_scan_reads_as_the_scan_wrote_them(event):
    from checkin.door.services import check_in

    ana = make_attendee(event)
    assert ana.inside is False  # loaded in this session
    answer = check_in(event, ana.card_code, gate="Door 4")
    assert answer.ok and ana.inside is True and ana.checked_in_gate == "Door 4"
    assert ana.checked_in_at == answer.attendee.checked_in_at


def test_an_api_check_in_refuses_a_bad_token_before_the_event(client, owner, event):
    from checkin.accounts.services import revoke_api_token

    token, secret = make_api_token(owner)
    path = f"/api/v1/events/{event.slug}/checkins"
    for auth in ("", "Bearer ", "Bearer nope", "Basic " + secret):
        answer = client.post(path, headers={"Authorization": auth}, json={"code": "x"})
        assert answer.status_code == 401 and answer.json["error"]["code"] == "unauthorized"
    bad_slug = client.post("/api/v1/events/a%00b/checkins", json={"code": "x"},
                           headers={"Authorization": f"Bearer {secret}"})
    assert bad_slug.status_code == 404
    revoke_api_token(owner, token.id)
    for slug in (event.slug, "a%00b"):
        answer = client.post(f"/api/v1/events/{slug}/checkins", json={"code": "x"},
                             headers={"Authorization": f"Bearer {secret}"})
        assert answer.status_code == 401


@pytest.mark.skipif(not ON_POSTGRES, reason="round trips to PostgreSQL")
def test_an_api_check_in_is_two_round_trips_and_no_transaction(client, event, headers):
    """The token with the event and the guest in one read, and the entry with its log row as
    one statement on its own (no BEGIN, no COMMIT); a repeat's log row is one statement on its
    own too."""
    from bench.round_trips import round_trips

    ana = make_attendee(event)
    path = f"/api/v1/events/{event.slug}/checkins"
    api_scan(client, event, headers, code="x")  # the token's first use is written
    with round_trips(db.engine) as first:
        assert client.post(path, headers=headers, json={"code": ana.card_code}).status_code == 201
    with round_trips(db.engine) as repeat:
        again = client.post(path, headers=headers, json={"code": ana.card_code})
    assert again.json["reason"] == "already_checked_in"
    assert first.count == 2 and first.commands == [], first
    assert repeat.count == 2 and repeat.commands == [], repeat
    assert any(sql.startswith("WITH changed AS") for sql in first.sql), first.sql


@pytest.mark.parametrize("kind", ["entry", "exit"])
def test_a_scan_whose_log_row_fails_changes_nobody(app, event, kind):
    """The guest's change and the log row are one write: when the row cannot be written (here
    another door's scan takes the nonce between the read and the write), the guest stays as
    they were, and the scan is answered as a reused nonce."""
    from sqlalchemy import text

    from checkin.columns import now_utc
    from checkin.door.services import check_in
    from checkin.errors import DomainError

    ana = make_attendee(event)
    if kind == "exit":
        check_in(event, ana.card_code)
    before = db.session.execute(text("SELECT inside, checked_in_at FROM attendees "
                                     "WHERE id = :id"), {"id": ana.id}).one()
    db.session.commit()

    raced = []

    def another_door_first(_conn, _cursor, statement, *_args):
        if statement.lstrip().startswith(("WITH changed", "UPDATE attendees")) and not raced:
            raced.append(statement)
            with db.engine.begin() as other:
                other.execute(text(
                    "INSERT INTO checkins (event_id, kind, code, result, scanned_at, "
                    "received_at, gate, device, nonce) VALUES (:event, :kind, 'SOMEONE-ELSE', "
                    "'unknown_code', :at, :at, '', '', 'n-race')"),
                    {"event": event.id, "kind": kind, "at": now_utc()})

    sa_event.listen(db.engine, "before_cursor_execute", another_door_first)
    try:
        with pytest.raises(DomainError) as refused:
            check_in(event, ana.card_code, kind=kind, nonce="n-race")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", another_door_first)
    assert raced and refused.value.code == "nonce_reused"
    db.session.rollback()
    with db.engine.connect() as other:
        after = other.execute(text("SELECT inside, checked_in_at FROM attendees "
                                   "WHERE id = :id"), {"id": ana.id}).one()
        logged = other.execute(text("SELECT count(*) FROM checkins WHERE attendee_id = :id "
                                    "AND kind = :kind"), {"id": ana.id, "kind": kind}).scalar()
    assert tuple(after) == tuple(before)
    assert logged == 0
