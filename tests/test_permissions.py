"""Who may do what: every console page and API route × anonymous, attendee, door staff,
owner of another event, owner. Routes are read from the app, so a new page is covered."""

import re

import pytest

from checkin import create_app
from checkin.accounts.models import Role
from checkin.door.services import check_in
from checkin.extensions import db
from checkin.guestlists.services import keep_upload
from checkin.people.services import issue_signin_link
from tests.conftest import base_settings
from tests.factories import (
    make_api_token,
    make_attendee,
    make_event,
    make_organizer,
    make_outbox,
    make_staff,
    make_staff_invitation,
)

ROLES = ("anonymous", "attendee", "door", "other_owner", "owner")


def _rules(prefix: str):
    app = create_app(base_settings("sqlite://", __import__("pathlib").Path("/tmp")),
                     instance_path="/tmp/checkin-permissions-instance")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith(prefix):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule


CONSOLE_EVENT_ROUTES = list(_rules("/console/events/<slug>"))
API_EVENT_ROUTES = list(_rules("/api/v1/events/<slug>"))
# Door staff work the door (and its JSON endpoints); everything else is for owners.
DOOR_CONSOLE = re.compile(r"^/console/events/<slug>/door(/|$)")
DOOR_API = {("POST", "/api/v1/events/<slug>/checkins"), ("GET", "/api/v1/events/<slug>/checkins"),
            ("POST", "/api/v1/events/<slug>/checkins/<int:checkin_id>/undo"),
            ("GET", "/api/v1/events/<slug>"), ("GET", "/api/v1/events/<slug>/stats")}


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Nobody signs in with a password here: skip the deliberately slow hash."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("checkin.accounts.services.hash_password",
                        lambda password: generate_password_hash(password, "pbkdf2:sha256:1"))


@pytest.fixture
def world(app, owner, event):
    """One event with one of everything a route can name, and a client per role."""
    ana = make_attendee(event, email="ana@example.org")
    door = make_staff(event, Role.DOOR)
    other_owner = make_organizer()
    make_event(other_owner)
    checkin = check_in(event, ana.card_code).checkin
    invitation, _secret = make_staff_invitation(event)
    values = {"slug": event.slug, "attendee_id": ana.id, "checkin_id": checkin.id,
              "message_id": make_outbox(event).id, "organizer_id": door.id,
              "invitation_id": invitation.id, "action": "new-link",
              "upload_id": keep_upload(event, b"name,email\nLuis,luis@x.org\n",
                                       organizer=owner).id}
    clients = {}
    for role, organizer in (("door", door), ("other_owner", other_owner), ("owner", owner),
                            ("anonymous", None), ("attendee", None)):
        client = app.test_client()
        if organizer is not None:
            with client.session_transaction() as session:
                session["_user_id"] = organizer.get_id()
                session["_fresh"] = True
        clients[role] = client
    clients["attendee"].get(f"/s/{issue_signin_link(ana)}")
    tokens = {role: make_api_token(o)[1] for role, o in
              (("door", door), ("other_owner", other_owner), ("owner", owner))}
    return {"values": values, "clients": clients, "tokens": tokens, "event": event}


def fill(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.mark.parametrize("method, rule", CONSOLE_EVENT_ROUTES)
def test_console_route(world, method, rule):
    path = fill(rule, world["values"])
    door_may = bool(DOOR_CONSOLE.match(rule))
    for role in ROLES:
        client = world["clients"][role]
        if "/door/" in rule:
            response = client.open(path, method=method, json={}, buffered=True)
        else:  # a form naming the event's guest, for actions about one guest
            response = client.open(path, method=method, buffered=True,
                                   data={"attendee": world["values"]["attendee_id"]}
                                   if method == "POST" else None)
        status = response.status_code
        if role in ("anonymous", "attendee"):
            assert status in (302, 401), (role, method, path, status)
            if status == 302:
                assert "/console/login" in response.headers["Location"]
        elif role == "other_owner" or (role == "door" and not door_may):
            assert status == 404, (role, method, path, status)
        else:
            assert status not in (302, 401, 403, 404) and status < 500, (role, method, path,
                                                                          status)
            if method == "GET":
                assert status == 200, (role, method, path, status)


API_BODIES = {
    "/api/v1/events/<slug>/checkins": {"code": "nobody-here"},
    "/api/v1/events/<slug>/attendees": {"display_name": "Walk In"},
    "/api/v1/events/<slug>/invitations": {},
    "/api/v1/events/<slug>": {"venue": "Hall 2"},
    "/api/v1/events/<slug>/attendees/<int:attendee_id>": {"company": "Acme"},
}


@pytest.mark.parametrize("method, rule", API_EVENT_ROUTES)
def test_api_route(world, method, rule):
    path = fill(rule, world["values"])
    body = API_BODIES.get(rule, {})
    for role in ROLES:
        client = world["clients"][role]
        token = world["tokens"].get(role)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if rule.endswith("/imports"):
            response = client.open(path, method=method, headers={**headers,
                                   "Content-Type": "text/csv"}, data=b"name,email\nAna,a@x.org\n")
        else:
            response = client.open(path, method=method, headers=headers, json=body)
        status = response.status_code
        assert response.is_json or status == 204, (role, method, path)
        if role in ("anonymous", "attendee"):
            assert status == 401, (role, method, path, status)
        elif role == "other_owner" or (role == "door" and (method, rule) not in DOOR_API):
            assert status == 404 and response.json["error"]["code"] == "not_found", (
                role, method, path, status)
        else:
            assert status not in (401, 403) and status < 500, (role, method, path, status)
            if status == 404:  # only a scan of an unknown code answers 404 here
                assert response.json.get("reason") == "unknown_code", (role, method, path)


def test_organizer_pages_without_an_event(world):
    for path in ("/console/", "/console/events/new", "/console/tokens"):
        for role in ROLES:
            status = world["clients"][role].get(path).status_code
            # A volunteer's account (door staff only) runs no events and makes no tokens.
            allowed = 403 if role == "door" and path != "/console/" else 200
            assert status == (302 if role in ("anonymous", "attendee") else allowed), (role, path)
    for role in ("anonymous", "attendee"):
        assert world["clients"][role].get("/api/v1/events").status_code == 401


def test_matrix_sees_every_page_in_the_contract():
    paths = {rule for _method, rule in CONSOLE_EVENT_ROUTES}
    for page in ("", "/edit", "/attendees", "/import", "/invitations", "/staff",
                 "/exports/attendees.csv", "/exports/connections.csv", "/door"):
        assert f"/console/events/<slug>{page}" in paths, page
    assert db is not None
