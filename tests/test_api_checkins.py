"""API: check-ins answer like pretix's redeem; nonces never count twice."""

from datetime import UTC, datetime

import pytest

from checkin.door.models import CheckIn
from checkin.extensions import db
from checkin.people.guests import update_attendee
from tests.factories import make_api_token, make_attendee, make_event, make_organizer, make_staff


@pytest.fixture
def headers(owner):
    return {"Authorization": f"Bearer {make_api_token(owner)[1]}"}


def new_years_day(owner):
    """An event on the evening of 1 January 2026, where the scans below happened."""
    return make_event(owner, starts_at=datetime(2026, 1, 1, 17, 30, tzinfo=UTC))


def scan(client, event, headers, **payload):
    return client.post(f"/api/v1/events/{event.slug}/checkins", headers=headers, json=payload)


def test_ok_is_201_with_the_guest(client, owner, headers):
    event = new_years_day(owner)
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    update_attendee(ana, attention_note="VIP")
    response = scan(client, event, headers, code=f"http://localhost/c/{ana.card_code}",
                    type="entry", nonce="n1", scanned_at="2026-01-01T19:00:00+01:00", gate="A")
    assert response.status_code == 201
    data = response.json
    assert data["status"] == "ok" and data["replayed"] is False and "reason" not in data
    assert data["attendee"]["display_name"] == "Ana Núñez"
    assert data["attendee"]["attention_note"] == "VIP"
    assert "email" not in data["attendee"]  # the door never sees emails
    assert data["checkin"]["scanned_at"] == "2026-01-01T18:00:00+00:00"
    assert data["checkin"]["gate"] == "A"


def test_second_scan_is_200_already_checked_in_with_when_and_where(client, owner, headers):
    event = new_years_day(owner)
    ana = make_attendee(event)
    scan(client, event, headers, code=ana.card_code, gate="Door 2",
         scanned_at="2026-01-01T19:02:00+01:00")
    response = scan(client, event, headers, code=ana.card_code)
    assert response.status_code == 200
    assert response.json["status"] == "error"
    assert response.json["reason"] == "already_checked_in"
    assert response.json["previous"] == {"scanned_at": "2026-01-01T18:02:00+00:00",
                                         "gate": "Door 2"}


def test_repeated_nonce_returns_the_first_answer(client, event, headers):
    ana = make_attendee(event)
    first = scan(client, event, headers, code=ana.card_code, nonce="abc")
    again = scan(client, event, headers, code=ana.card_code, nonce="abc")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["status"] == "ok" and again.json["replayed"] is True
    assert again.json["checkin"]["id"] == first.json["checkin"]["id"]
    assert db.session.query(CheckIn).count() == 1


def test_unknown_code_and_wrong_event_are_404(client, owner, event, headers):
    response = scan(client, event, headers, code="nobody")
    assert response.status_code == 404 and response.json["reason"] == "unknown_code"
    other = make_event(owner)
    stranger = make_attendee(other)
    response = scan(client, event, headers, code=stranger.card_code)
    assert response.status_code == 404 and response.json["reason"] == "wrong_event"
    assert response.json["attendee"] is None


def test_exit_and_ticket_code(client, event, headers):
    ana = make_attendee(event, ticket_code="EB-123")
    response = scan(client, event, headers, code="EB-123", type="exit")
    assert response.status_code == 200 and response.json["reason"] == "not_checked_in"
    assert scan(client, event, headers, code="EB-123").status_code == 201
    assert scan(client, event, headers, code="EB-123", type="exit").status_code == 201
    assert ana.id == response.json["attendee"]["id"]


@pytest.mark.parametrize("payload, code", [
    ({}, "missing_field"),
    ({"code": ""}, "missing_field"),
    ({"code": 12}, "bad_field"),
    ({"code": "x", "type": "sideways"}, "bad_kind"),
    ({"code": "x", "scanned_at": "yesterday"}, "bad_time"),
    ({"code": "x", "scanned_at": "2026-01-01T19:00:00"}, "bad_time"),
    ({"code": "x", "nonce": "n" * 65}, "bad_field"),
])
def test_bad_scans_are_400(client, event, headers, payload, code):
    response = scan(client, event, headers, **payload)
    assert response.status_code == 400 and response.json["error"]["code"] == code
    assert db.session.query(CheckIn).count() == 0


def test_door_staff_scan_and_undo(client, event):
    door = make_staff(event)
    headers = {"Authorization": f"Bearer {make_api_token(door)[1]}"}
    ana = make_attendee(event)
    done = scan(client, event, headers, code=ana.card_code)
    assert done.status_code == 201
    log = client.get(f"/api/v1/events/{event.slug}/checkins", headers=headers).json
    assert log["total"] == 1 and log["items"][0]["result"] == "ok"
    undo = client.post(f"/api/v1/events/{event.slug}/checkins/{done.json['checkin']['id']}/undo",
                       headers=headers)
    assert undo.status_code == 200 and undo.json["undone_at"]
    again = client.post(f"/api/v1/events/{event.slug}/checkins/{done.json['checkin']['id']}/undo",
                        headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "not_undoable"


def test_other_organizer_cannot_scan(client, event):
    headers = {"Authorization": f"Bearer {make_api_token(make_organizer())[1]}"}
    ana = make_attendee(event)
    assert scan(client, event, headers, code=ana.card_code).status_code == 404
    assert db.session.query(CheckIn).count() == 0


@pytest.mark.parametrize("scanned_at", ["1970-01-01T00:00:00+00:00", "2025-06-01T19:00:00+02:00"])
def test_a_scan_dated_far_from_the_event_is_refused(client, event, headers, scanned_at):
    ana = make_attendee(event)
    response = scan(client, event, headers, code=ana.card_code, scanned_at=scanned_at)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "scan_outside_event"
    assert "clock" in response.json["error"]["message"]
    assert db.session.query(CheckIn).count() == 0 and ana.checked_in_at is None


def test_a_replayed_nonce_with_another_code_is_refused(client, event, headers):
    ana, luis = make_attendee(event), make_attendee(event)
    assert scan(client, event, headers, code=ana.card_code, nonce="n-1").status_code == 201
    response = scan(client, event, headers, code=luis.card_code, nonce="n-1")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "nonce_reused"
    assert "Example" not in response.get_data(as_text=True)  # nobody's answer is handed out
    db.session.refresh(luis)
    assert luis.checked_in_at is None


def test_a_nonce_from_another_event_never_returns_that_events_attendee(client, owner, event,
                                                                      headers):
    other = make_event(owner)
    ana = make_attendee(other, first_name="Ana", company="Secret Corp")
    bob = make_attendee(event, first_name="Bob")
    assert scan(client, other, headers, code=ana.card_code, nonce="shared").status_code == 201
    here = scan(client, event, headers, code=ana.card_code, nonce="shared")
    assert here.status_code == 404 and here.json["reason"] == "wrong_event"
    assert here.json["attendee"] is None and "Ana" not in here.get_data(as_text=True)
    bob_in = scan(client, event, headers, code=bob.card_code, nonce="shared-2")
    assert bob_in.status_code == 201
    again = scan(client, other, headers, code=bob.card_code, nonce="shared-2")
    assert again.json["reason"] == "wrong_event" and not again.json["replayed"]


def test_door_staff_tokens_never_read_card_codes(client, event, headers):
    door = {"Authorization": f"Bearer {make_api_token(make_staff(event))[1]}"}
    ana, luis = make_attendee(event, ticket_code="EB-1"), make_attendee(event)
    by_ticket = scan(client, event, door, code="EB-1")
    assert by_ticket.status_code == 201 and by_ticket.json["attendee"]["display_name"]
    scan(client, event, headers, code=f"http://localhost/c/{luis.card_code}")  # the owner's
    log = client.get(f"/api/v1/events/{event.slug}/checkins", headers=door)
    undo = client.post(f"/api/v1/events/{event.slug}/checkins/"
                       f"{by_ticket.json['checkin']['id']}/undo", headers=door)
    for answer in (by_ticket, log, undo):
        assert answer.status_code == 200 or answer.status_code == 201
        text = answer.get_data(as_text=True)
        assert ana.card_code not in text and luis.card_code not in text
    assert [item["code"] for item in log.json["items"]] == ["", "EB-1"]
    owners = client.get(f"/api/v1/events/{event.slug}/checkins", headers=headers).json
    assert luis.card_code in owners["items"][0]["code"]


@pytest.mark.parametrize("payload", [
    {}, {"code": ""}, {"code": "x", "type": "sideways"}, {"code": "x", "scanned_at": "yesterday"},
    {"code": "x", "scanned_at": "2026-01-01T19:00:00"}, {"code": "x", "nonce": "n" * 65},
])
def test_a_bad_scan_is_answered_for_its_token_first(client, owner, event, payload):
    """The token, its event and the guest are one read: a scan that is wrong in itself is
    still refused as a bad token (401), then as another's event (404), before its own 400."""
    from checkin.accounts.services import revoke_api_token

    token, secret = make_api_token(owner)
    revoke_api_token(owner, token.id)
    stranger = {"Authorization": f"Bearer {make_api_token(make_organizer())[1]}"}
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {secret}"}):
        answer = scan(client, event, headers, **payload)
        assert answer.status_code == 401 and answer.json["error"]["code"] == "unauthorized"
    answer = scan(client, event, stranger, **payload)
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
    assert db.session.query(CheckIn).count() == 0


def test_a_token_without_a_role_at_the_event_reads_none_of_its_guests(client, event):
    ana = make_attendee(event, first_name="Ana", company="Secret Corp", ticket_code="EB-9")
    stranger = {"Authorization": f"Bearer {make_api_token(make_organizer())[1]}"}
    for code in (ana.card_code, "EB-9", "eb-9", "nobody"):
        answer = scan(client, event, stranger, code=code, nonce=f"n-{code}")
        assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
        assert "Ana" not in answer.get_data(as_text=True)
        assert "Secret" not in answer.get_data(as_text=True)
    db.session.refresh(ana)
    assert ana.checked_in_at is None and db.session.query(CheckIn).count() == 0


def test_a_check_in_marks_its_token_used(client, owner, event):
    from checkin.accounts.models import ApiToken

    token, secret = make_api_token(owner)
    ana = make_attendee(event)
    answer = scan(client, event, {"Authorization": f"Bearer {secret}"}, code=ana.card_code)
    assert answer.status_code == 201
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_a_ticket_typed_in_another_case_and_a_device_repeat(client, event, headers):
    ana = make_attendee(event, ticket_code="DEMO-1038")
    first = scan(client, event, headers, code="demo-1038", device="tablet-1", gate="Door 1")
    assert first.status_code == 201 and first.json["attendee"]["id"] == ana.id
    # The same device seeing the same code moments later is that one scan seen twice.
    again = scan(client, event, headers, code="DEMO-1038", device="tablet-1")
    assert again.status_code == 200 and again.json["status"] == "ok"
    assert again.json["replayed"] is True
    assert again.json["checkin"]["id"] == first.json["checkin"]["id"]
    other = scan(client, event, headers, code="DEMO-1038", device="tablet-2")
    assert other.json["reason"] == "already_checked_in"
    assert other.json["previous"]["gate"] == "Door 1"
    assert db.session.query(CheckIn).count() == 2
