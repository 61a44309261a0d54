"""API: bearer tokens, JSON errors, events (create, list, read, change, open, close, stats)."""

import pytest

from checkin.accounts.services import revoke_api_token
from checkin.events.models import Event
from checkin.extensions import db
from tests.factories import make_api_token, make_attendee, make_event, make_organizer, make_staff


@pytest.fixture
def token(owner):
    return make_api_token(owner)[1]


def auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_no_token_bad_token_revoked_token_are_401_json(client, owner, token):
    for headers in ({}, auth("ck_nope"), {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/events", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    api_token = make_api_token(owner)[0]
    revoke_api_token(owner, api_token.id)
    assert client.get("/api/v1/events", headers=auth(token)).status_code == 200


def test_revoked_token_stops_working(client, owner):
    api_token, secret = make_api_token(owner)
    assert client.get("/api/v1/events", headers=auth(secret)).status_code == 200
    revoke_api_token(owner, api_token.id)
    assert client.get("/api/v1/events", headers=auth(secret)).status_code == 401


def test_create_event_returns_201_with_its_slug(client, owner, token):
    response = client.post("/api/v1/events", headers=auth(token), json={
        "name": "Café Networking", "starts_at": "2026-12-03T19:00:00+01:00",
        "ends_at": "2026-12-03T22:00:00+01:00", "timezone": "Europe/Madrid"})
    assert response.status_code == 201, response.json
    data = response.json
    assert data["slug"] == "cafe-networking" and data["state"] == "draft"
    assert data["starts_at"] == "2026-12-03T19:00:00+01:00" and data["role"] == "owner"
    assert data["join_url"] == "http://localhost/e/cafe-networking"
    again = client.post("/api/v1/events", headers=auth(token), json={
        "name": "Café Networking", "slug": "cafe-networking",
        "starts_at": "2026-12-03T19:00:00Z", "ends_at": "2026-12-03T22:00:00Z"})
    assert again.status_code == 409 and again.json["error"]["code"] == "slug_taken"


@pytest.mark.parametrize("payload, code", [
    ({}, "missing_field"),
    ({"name": "X", "starts_at": "tomorrow", "ends_at": "2026-12-03T22:00:00Z"}, "bad_time"),
    ({"name": "X", "starts_at": "2026-12-03T19:00:00", "ends_at": "2026-12-03T22:00:00Z"},
     "bad_time"),
    ({"name": "X", "starts_at": "2026-12-03T23:00:00Z", "ends_at": "2026-12-03T22:00:00Z"},
     "bad_time"),
    ({"name": 5, "starts_at": "2026-12-03T19:00:00Z", "ends_at": "2026-12-03T22:00:00Z"},
     "bad_field"),
    ({"name": "X", "starts_at": "2026-12-03T19:00:00Z", "ends_at": "2026-12-03T22:00:00Z",
      "timezone": "Mars/Olympus"}, "bad_timezone"),
    ({"name": "X", "starts_at": "2026-12-03T19:00:00Z", "ends_at": "2026-12-03T22:00:00Z",
      "slug": "No Good"}, "bad_slug"),
])
def test_create_event_refuses_bad_input(client, token, payload, code):
    response = client.post("/api/v1/events", headers=auth(token), json=payload)
    assert response.status_code == 400 and response.json["error"]["code"] == code
    assert db.session.query(Event).count() == 0


def test_body_must_be_a_json_object(client, token):
    for data in ("[1]", "not json", ""):
        response = client.post("/api/v1/events", headers={**auth(token),
                                                          "Content-Type": "application/json"},
                               data=data)
        assert response.status_code == 400 and response.json["error"]["code"] == "bad_json"


def test_list_shows_only_my_events_with_my_role(client, owner, token):
    mine = make_event(owner, name="Mine")
    staffed = make_event(make_organizer(), name="Staffed")
    make_event(make_organizer(), name="Not mine")
    from checkin.accounts.models import Role
    from checkin.accounts.services import grant_role

    grant_role(owner, staffed, Role.DOOR)
    data = client.get("/api/v1/events", headers=auth(token)).json
    assert {(e["name"], e["role"]) for e in data["items"]} == {("Mine", "owner"),
                                                               ("Staffed", "door")}
    assert data["total"] == 2 and data["next"] is None
    assert mine.slug in {e["slug"] for e in data["items"]}


def test_pagination_links_the_next_page(client, owner, token):
    for _ in range(3):
        make_event(owner)
    first = client.get("/api/v1/events?per_page=2", headers=auth(token)).json
    assert len(first["items"]) == 2 and first["total"] == 3
    assert first["next"] == "/api/v1/events?page=2&per_page=2"
    second = client.get(first["next"], headers=auth(token)).json
    assert len(second["items"]) == 1 and second["next"] is None
    for bad in ("page=0", "per_page=201", "page=x", "page=-1"):
        response = client.get(f"/api/v1/events?{bad}", headers=auth(token))
        assert response.status_code == 400
        assert response.json["error"]["code"] == "bad_parameter"


def test_another_organizers_event_is_404_everywhere(client, token):
    other = make_event(make_organizer())
    for method, path in (("get", ""), ("patch", ""), ("post", "/open"), ("post", "/close"),
                         ("get", "/stats"), ("get", "/attendees"), ("post", "/checkins"),
                         ("get", "/checkins")):
        response = getattr(client, method)(f"/api/v1/events/{other.slug}{path}",
                                           headers=auth(token), json={"code": "x"})
        assert response.status_code == 404, (method, path)
        assert response.json["error"]["code"] == "not_found"
    assert db.session.get(Event, other.id).state == "open"


def test_door_staff_can_read_and_scan_but_not_change(client, event):
    door = make_staff(event)
    secret = make_api_token(door)[1]
    assert client.get(f"/api/v1/events/{event.slug}", headers=auth(secret)).status_code == 200
    assert client.post(f"/api/v1/events/{event.slug}/close",
                       headers=auth(secret)).status_code == 404
    assert client.get(f"/api/v1/events/{event.slug}/attendees",
                      headers=auth(secret)).status_code == 404
    assert client.post(f"/api/v1/events/{event.slug}/checkins", headers=auth(secret),
                       json={"code": "nobody"}).status_code == 404


def test_patch_open_close(client, owner, token):
    event = make_event(owner, state="draft")
    response = client.patch(f"/api/v1/events/{event.slug}", headers=auth(token),
                            json={"name": "New name", "venue": "Hall 2", "slug": "new-name"})
    assert response.status_code == 200 and response.json["slug"] == "new-name"
    response = client.post("/api/v1/events/new-name/open", headers=auth(token))
    assert response.json["state"] == "open"
    locked = client.patch("/api/v1/events/new-name", headers=auth(token), json={"slug": "x"})
    assert locked.status_code == 409 and locked.json["error"]["code"] == "slug_locked"
    assert client.post("/api/v1/events/new-name/close", headers=auth(token)).json["state"] == \
        "closed"
    reopened = client.post("/api/v1/events/new-name/open", headers=auth(token))
    assert reopened.status_code == 409 and reopened.json["error"]["code"] == "event_closed"


def test_stats_count_guests_and_scans(client, owner, token, event):
    ana = make_attendee(event)
    make_attendee(event, source="walk_in")
    client.post(f"/api/v1/events/{event.slug}/checkins", headers=auth(token),
                json={"code": ana.card_code})
    stats = client.get(f"/api/v1/events/{event.slug}/stats", headers=auth(token)).json
    assert stats == {"attendees": 2, "invited": 0, "checked_in": 1, "inside": 1, "walk_ins": 1,
                     "scans": 1, "connections": 0}


def test_unknown_route_and_method_are_json(client, token):
    response = client.get("/api/v1/nope", headers=auth(token))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    response = client.delete("/api/v1/events", headers=auth(token))
    assert response.status_code == 405 and "error" in response.json


def test_openapi_document_is_public_and_valid(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json)
    assert "/events/{slug}/checkins" in response.json["paths"]


def test_import_preview_then_confirm(client, owner, token, event):
    from pathlib import Path

    from checkin.people.models import Attendee

    data = (Path(__file__).parent / "fixtures" / "imports" / "luma.csv").read_bytes()
    url = f"/api/v1/events/{event.slug}/imports"
    headers = {**auth(token), "Content-Type": "text/csv"}
    preview = client.post(url, headers=headers, data=data)
    assert preview.status_code == 200
    assert preview.json["format"] == "luma" and preview.json["create"] == 2
    assert preview.json["committed"] is False
    assert preview.json["skipped"] == [{"line": 3, "reason": "Declined (Luma)"},
                                       {"line": 4, "reason": "On the waitlist (Luma)"}]
    assert db.session.query(Attendee).count() == 0
    done = client.post(url + "?confirm=true", headers=auth(token),
                       data={"file": (__import__("io").BytesIO(data), "luma.csv")})
    assert done.status_code == 201 and done.json["committed"] is True
    assert db.session.query(Attendee).count() == 2
    again = client.post(url + "?confirm=true", headers=headers, data=data)
    assert again.json["create"] == 0 and again.json["unchanged"] == 2
    bad = client.post(url, headers=headers, data=b"foo,bar\n1,2\n")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "unknown_format"
    assert client.post(url + "?confirm=maybe", headers=headers, data=data).status_code == 400


def test_attendees_api_list_add_change_remove(client, owner, token, event):
    url = f"/api/v1/events/{event.slug}/attendees"
    made = client.post(url, headers=auth(token), json={
        "first_name": "Ana", "last_name": "Núñez", "email": "ANA@x.org", "ticket_code": "T1",
        "attention_note": "VIP"})
    assert made.status_code == 201, made.json
    ana = made.json
    assert ana["email"] == "ana@x.org" and ana["card_url"].endswith(ana["card_code"])
    assert ana["source"] == "api" and ana["attention_note"] == "VIP"
    dup = client.post(url, headers=auth(token), json={"display_name": "X", "ticket_code": "T1"})
    assert dup.status_code == 409
    nameless = client.post(url, headers=auth(token), json={"email": "a@x.org"})
    assert nameless.status_code == 400 and nameless.json["error"]["code"] == "missing_name"
    bad_mail = client.post(url, headers=auth(token), json={"display_name": "X", "email": "nope"})
    assert bad_mail.status_code == 400 and bad_mail.json["error"]["code"] == "bad_email"
    listed = client.get(url, headers=auth(token), query_string={"q": "nunez"}).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == ana["id"]
    assert client.get(url, headers=auth(token), query_string={"checked_in": "yes"}
                      ).json["total"] == 0
    assert client.get(url, headers=auth(token), query_string={"checked_in": "maybe"}
                      ).status_code == 400
    one = f"{url}/{ana['id']}"
    changed = client.patch(one, headers=auth(token), json={"company": "Acme"})
    assert changed.status_code == 200 and changed.json["company"] == "Acme"
    assert client.delete(one, headers=auth(token)).status_code == 204
    assert client.get(one, headers=auth(token)).status_code == 404


def test_connections_api(client, owner, token, event):
    from tests.factories import make_connection

    connection = make_connection(make_attendee(event), make_attendee(event))
    data = client.get(f"/api/v1/events/{event.slug}/connections", headers=auth(token)).json
    assert data["total"] == 1 and data["items"][0]["id"] == connection.id
    assert sorted(data["items"][0]["attendee_ids"]) == [connection.low_id, connection.high_id]


def test_door_staff_cannot_create_events_through_the_api(client, event):
    from checkin.accounts.models import Role
    from tests.factories import make_api_token, make_staff

    _token, secret = make_api_token(make_staff(event, Role.DOOR))
    response = client.post("/api/v1/events", headers={"Authorization": f"Bearer {secret}"},
                           json={"name": "Mine", "starts_at": "2030-01-01T19:00:00+01:00",
                                 "ends_at": "2030-01-01T22:00:00+01:00"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "door_staff_only"
