"""The attendee's own requests in the API: their phone's session only, never an organizer's
token; the asker never reads "declined"; writes carry the CSRF token."""

import pytest

from checkin.extensions import db
from checkin.meeting_requests.models import MeetingRequest
from checkin.meeting_requests.services import ask_to_meet, decline_request
from tests.factories import make_api_token, make_attendee, make_event
from tests.people_helpers import sign_in_as


@pytest.fixture
def pair(event):
    return (make_attendee(event, first_name="Luis", email="luis@example.com"),
            make_attendee(event, first_name="Ana", email="ana@example.com", offer="Labels"))


def test_ask_list_and_accept_from_the_attendees_phones(app, event, pair):
    luis, ana = pair
    luis_phone, ana_phone = app.test_client(), app.test_client()
    sign_in_as(luis_phone, luis)
    sign_in_as(ana_phone, ana)
    base = f"/api/v1/me/events/{event.slug}/requests"
    asked = luis_phone.post(base, json={"card_code": ana.card_code.lower(), "message": "Hi"})
    assert asked.status_code == 201, asked.json
    assert asked.json["request"]["status"] == "pending"
    assert asked.json["request"]["to"]["display_name"] == ana.person.display_name
    listed = ana_phone.get(base).json
    (waiting,) = listed["to_me"]
    assert waiting["message"] == "Hi" and waiting["from"]["card_code"] == luis.card_code
    assert "email" not in waiting["from"] and listed["mine"] == []
    assert ana_phone.post(f"{base}/{waiting['id']}/accept").json == {"connected": True}
    assert luis_phone.get(base).json["mine"][0]["status"] == "accepted"
    again = luis_phone.post(base, json={"card_code": ana.card_code})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_connected"


def test_the_asker_reads_pending_after_a_decline(app, event, pair):
    luis, ana = pair
    decline_request(ana, ask_to_meet(luis, ana).request.id)
    phone = app.test_client()
    sign_in_as(phone, luis)
    (mine,) = phone.get(f"/api/v1/me/events/{event.slug}/requests").json["mine"]
    assert mine["status"] == "pending" and "declined" not in str(mine)


def test_no_organizer_token_reads_or_writes_anyones_requests(client, owner, event, pair):
    luis, ana = pair
    request = ask_to_meet(luis, ana, "Private line").request
    _token, secret = make_api_token(owner)
    bearer = {"Authorization": f"Bearer {secret}"}
    base = f"/api/v1/me/events/{event.slug}/requests"
    for method, path in (("get", base), ("post", base), ("post", f"{base}/{request.id}/accept"),
                         ("post", f"{base}/{request.id}/decline")):
        for headers in (bearer, {}):
            response = getattr(client, method)(path, headers=headers, json={})
            assert response.status_code == 401, (method, path)
            assert response.json["error"]["code"] == "not_signed_in"
            assert "Private line" not in response.text
    assert db.session.get(MeetingRequest, request.id).state == "pending"


def test_another_events_attendee_and_a_fellow_attendee_are_refused(app, owner, event, pair):
    luis, ana = pair
    request = ask_to_meet(luis, ana).request
    stranger = app.test_client()
    sign_in_as(stranger, make_attendee(make_event(owner)))
    base = f"/api/v1/me/events/{event.slug}/requests"
    assert stranger.get(base).status_code == 401
    assert stranger.post(base, json={"card_code": ana.card_code}).status_code == 401
    pedro = app.test_client()
    sign_in_as(pedro, make_attendee(event))
    assert pedro.post(f"{base}/{request.id}/accept").status_code == 404
    assert pedro.get(base).json["to_me"] == []
    elsewhere = make_attendee(make_event(owner))
    refused = pedro.post(base, json={"card_code": elsewhere.card_code})
    assert refused.status_code == 404 and refused.json["error"]["code"] == "unknown_card"


def test_writes_need_the_csrf_token_the_list_hands_out(csrf_app, event, pair):
    luis, ana = pair
    phone = csrf_app.test_client()
    sign_in_as(phone, luis)
    base = f"/api/v1/me/events/{event.slug}/requests"
    refused = phone.post(base, json={"card_code": ana.card_code})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "bad_request"
    token = phone.get(base).json["csrf_token"]
    asked = phone.post(base, json={"card_code": ana.card_code}, headers={"X-CSRFToken": token})
    assert asked.status_code == 201


def test_the_document_says_these_are_for_the_attendees_own_session(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["components"]["securitySchemes"]["attendeeSession"]["in"] == "cookie"
    for path, operations in document["paths"].items():
        for operation in operations.values():
            mine = path.startswith("/me/")
            assert (operation.get("security") == [{"attendeeSession": []}]) == mine, path
