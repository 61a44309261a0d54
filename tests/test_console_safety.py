"""Destructive console actions ask first (a page that works without JavaScript, POST-only,
CSRF-checked), and an owner can reopen a closed event without anyone getting a second copy."""

import html
import re

import pytest
from sqlalchemy import func, select

from checkin.accounts.models import ApiToken, EventRole, Role, StaffInvitation
from checkin.events.models import Event
from checkin.extensions import db
from checkin.followups.render import KIND
from checkin.mail.models import OutboxMessage
from checkin.people.models import Attendee
from tests.conftest import csrf_token_from, login
from tests.factories import (
    make_api_token,
    make_attendee,
    make_checkin,
    make_connection,
    make_staff,
    make_staff_invitation,
)
from tests.test_followups_render import build_meetup


def _close(world):
    return f"/console/events/{world['event'].slug}/close"


def _followups_close(world):
    return f"/console/events/{world['event'].slug}/followups/close"


def _attendee(action):
    return lambda w: f"/console/events/{w['event'].slug}/attendees/{w['ana_id']}/{action}"


# path, the question the page asks, what must not have changed until confirmed
ACTIONS = {
    "close": (_close, "Close Safety night?",
              lambda w: db.session.get(Event, w["event"].id).state == "open"),
    "close from follow-ups": (_followups_close, "Close Safety night?",
                              lambda w: db.session.get(Event, w["event"].id).state == "open"),
    "remove a guest": (_attendee("remove"), "Remove Ana Gil from the guest list?",
                       lambda w: db.session.get(Attendee, w["ana_id"]) is not None),
    "revoke a link": (_attendee("revoke-link"), "Revoke Ana Gil's sign-in link?",
                      lambda w: db.session.get(Attendee, w["ana_id"]).signin_token_hash),
    "email a new link": (_attendee("new-link"), "Email Ana Gil a new sign-in link?",
                         lambda w: db.session.get(Attendee, w["ana_id"]).signin_token_hash
                         == w["hash"]),
    "remove staff": (lambda w: f"/console/events/{w['event'].slug}/staff/{w['door'].id}/remove",
                     "Remove door@example.net from the team of Safety night?",
                     lambda w: db.session.scalar(select(EventRole.id).filter_by(
                         organizer_id=w["door"].id))),
    "withdraw an invitation": (
        lambda w: f"/console/events/{w['event'].slug}/staff/invitations/{w['invitation_id']}"
                  "/withdraw", "Withdraw this invitation?",
        lambda w: db.session.get(StaffInvitation, w["invitation_id"]) is not None),
    "revoke a token": (lambda w: f"/console/tokens/{w['token'].id}/revoke",
                       "Revoke the token",
                       lambda w: db.session.get(ApiToken, w["token"].id).revoked_at is None),
    "invite everyone again": (
        lambda w: f"/console/events/{w['event'].slug}/invitations",
        "Send the invitation again to everyone?",
        lambda w: db.session.scalar(select(func.count(OutboxMessage.id))) == 0),
}
EXTRA = {"invite everyone again": {"resend": "1"}}


@pytest.fixture
def world(csrf_app, owner, create_event):
    from checkin.people.services import issue_signin_link

    event = create_event(owner, name="Safety night")
    ana = make_attendee(event, first_name="Ana", last_name="Gil", email="ana@example.org")
    issue_signin_link(ana)
    return {"event": event, "ana_id": ana.id, "hash": ana.signin_token_hash,
            "door": make_staff(event, Role.DOOR, email="door@example.net"),
            "invitation_id": make_staff_invitation(event)[0].id, "token": make_api_token(owner)[0]}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_destructive_action_asks_first_then_acts(client, owner, world, action):
    path_of, question, unchanged = ACTIONS[action]
    path = path_of(world)
    login_page = client.get("/console/login")
    client.post("/console/login", data={"email": owner.email, "password": "correct horse battery",
                                        "csrf_token": csrf_token_from(login_page.text)})
    token = csrf_token_from(client.get("/console/").text)
    extra = EXTRA.get(action, {})

    if action != "invite everyone again":  # that URL's GET is the invitations page
        assert client.get(path).status_code == 405  # never on a GET (a link, a prefetch)
    asked = client.post(path, data={"csrf_token": token, **extra})
    assert asked.status_code == 200
    assert question in html.unescape(asked.text) and "Cancel" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert unchanged(world), "nothing changes before the organizer confirms"

    forged = client.post(path, data={"confirmed": "yes", **extra})  # no CSRF token
    assert forged.status_code == 400 and unchanged(world)

    done = client.post(path, data={"csrf_token": csrf_token_from(asked.text),
                                   **dict(_kept_fields(asked.text))})
    assert done.status_code == 303
    assert not unchanged(world)


def _kept_fields(page: str):
    form = page[page.index('<form method="post" action="'):]
    return re.findall(r'<input type="hidden" name="(?!csrf_token)([^"]+)" value="([^"]*)">',
                      form)


def test_the_confirmation_says_what_follows_in_spanish(client, owner, event):
    login(client, owner)
    client.post("/lang", data={"lang": "es", "next": "/console/"})
    asked = client.post(f"/console/events/{event.slug}/close")
    assert f"¿Cerrar {event.name}?" in asked.text
    assert "Cancelar" in asked.text and "reabrir" in asked.text


def test_an_owner_reopens_a_closed_event_and_nobody_gets_a_second_follow_up(client, owner):
    from checkin.followups.services import queue_followups

    event, people = build_meetup(owner)
    first = queue_followups(event)
    assert first == 4
    login(client, owner)
    overview = client.get(f"/console/events/{event.slug}")
    assert "Reopen the event" in overview.text
    assert "Follow-ups already sent are not sent again" in overview.text

    client.post(f"/console/events/{event.slug}/reopen")
    event = db.session.get(Event, event.id)
    assert event.state == "open" and event.closed_at is None
    # A latecomer and a new connection after reopening.
    late = make_attendee(event, first_name="Late", email="late@example.com")
    make_checkin(late)
    make_connection(late, people["nora"])
    client.post(f"/console/events/{event.slug}/close", data={"confirmed": "yes"})
    assert queue_followups(db.session.get(Event, event.id)) == 1  # only the latecomer's
    recipients = db.session.scalars(select(OutboxMessage.recipient).filter_by(kind=KIND)).all()
    assert sorted(recipients) == sorted(set(recipients))


def test_reopen_refuses_an_event_that_is_not_closed(client, owner, event):
    login(client, owner)
    page = client.post(f"/console/events/{event.slug}/reopen", follow_redirects=True)
    assert "Only a closed event can be reopened." in page.text


def test_door_staff_cannot_reopen(client, owner, create_event):
    event = create_event(owner, state="closed")
    login(client, make_staff(event, Role.DOOR))
    assert client.post(f"/console/events/{event.slug}/reopen").status_code == 404
    assert db.session.get(Event, event.id).state == "closed"


def test_reopen_through_the_api_and_the_cli(client, runner, owner, create_event):
    event = create_event(owner, state="closed")
    _token, secret = make_api_token(owner)
    headers = {"Authorization": f"Bearer {secret}"}
    reopened = client.post(f"/api/v1/events/{event.slug}/reopen", headers=headers)
    assert reopened.status_code == 200 and reopened.json["state"] == "open"
    again = client.post(f"/api/v1/events/{event.slug}/reopen", headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "not_closed"
    document = client.get("/api/v1/openapi.json").json
    assert document["paths"]["/events/{slug}/reopen"]["post"]["operationId"] == "reopenEvent"

    assert runner.invoke(args=["events", "close", event.slug]).exit_code == 0
    result = runner.invoke(args=["events", "reopen", event.slug])
    assert result.exit_code == 0 and f"Reopened {event.slug}" in result.output
    assert db.session.get(Event, event.id).state == "open"
    refused = runner.invoke(args=["events", "reopen", event.slug])
    assert refused.exit_code == 1 and "Only a closed event can be reopened." in refused.output
