"""Console, API and CLI: invitations go through the outbox; who was sent what, and when."""

from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.people.models import Attendee
from checkin.people.services import attendee_for_signin_secret
from tests.conftest import login
from tests.factories import make_api_token, make_attendee, make_event, make_staff


def invitations() -> list[OutboxMessage]:
    return db.session.query(OutboxMessage).filter_by(kind="invitation").all()


def test_send_to_everyone_not_yet_invited_then_see_it(client, owner, event):
    ana = make_attendee(event, first_name="Ana", email="ana@x.org")
    make_attendee(event, first_name="Luis", email="luis@x.org")
    make_attendee(event, first_name="Nomail", email="")
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/invitations")
    assert "Send to the 2 guests not yet invited" in page.text
    response = client.post(f"/console/events/{event.slug}/invitations")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "2 invitations are in the outbox." in page.text
    assert "1 guest has no email address and was not invited." in page.text
    assert {m.to_address for m in invitations()} == {"ana@x.org", "luis@x.org"}
    assert "Waiting to be sent" in page.text and "ana@x.org" in page.text
    db.session.refresh(ana)
    assert ana.invited_at is not None and ana.signin_token_hash
    # Pressing again sends nothing new.
    client.post(f"/console/events/{event.slug}/invitations")
    assert len(invitations()) == 2
    assert "Send to the 0 guests not yet invited" in client.get(
        f"/console/events/{event.slug}/invitations").text


def test_send_one_guest_again_gives_a_new_link(client, owner, event):
    ana = make_attendee(event, email="ana@x.org")
    login(client, owner)
    client.post(f"/console/events/{event.slug}/invitations", data={"attendee_id": ana.id})
    first_hash = db.session.get(Attendee, ana.id).signin_token_hash
    response = client.post(f"/console/events/{event.slug}/invitations",
                           data={"attendee_id": ana.id})
    assert response.headers["Location"].endswith(f"/attendees/{ana.id}")
    assert db.session.get(Attendee, ana.id).signin_token_hash != first_hash
    assert len(invitations()) == 1  # replaced, not doubled
    assert "Send the invitation again" in client.get(response.headers["Location"]).text


def test_closed_event_and_other_events_guests_refused(client, owner, event):
    closed = make_event(owner, state="closed")
    make_attendee(closed, email="a@x.org")
    stranger = make_attendee(make_event(owner), email="s@x.org")
    login(client, owner)
    client.post(f"/console/events/{closed.slug}/invitations")
    assert client.post(f"/console/events/{event.slug}/invitations",
                       data={"attendee_id": stranger.id}).status_code == 404
    assert invitations() == []


def test_door_staff_cannot_send(client, event):
    make_attendee(event, email="a@x.org")
    login(client, make_staff(event))
    assert client.get(f"/console/events/{event.slug}/invitations").status_code == 404
    assert client.post(f"/console/events/{event.slug}/invitations").status_code == 404
    assert invitations() == []


def test_api_invitations(client, owner, event):
    headers = {"Authorization": f"Bearer {make_api_token(owner)[1]}"}
    ana = make_attendee(event, email="ana@x.org")
    make_attendee(event, email="")
    url = f"/api/v1/events/{event.slug}/invitations"
    sent = client.post(url, headers=headers, json={})
    assert sent.status_code == 200
    assert sent.json == {"queued": 1, "no_email": 1, "remaining": 0}
    one = client.post(url, headers=headers, json={"attendee_ids": [ana.id]})
    assert one.json["queued"] == 1
    listed = client.get(url, headers=headers).json
    assert listed["total"] == 1 and listed["items"][0]["attendee_id"] == ana.id
    assert listed["items"][0]["status"] == "pending"
    bad = client.post(url, headers=headers, json={"attendee_ids": "all"})
    assert bad.status_code == 400


def test_cli_invite(runner, event):
    make_attendee(event, email="ana@x.org")
    result = runner.invoke(args=["attendees", "invite", event.slug])
    assert result.exit_code == 0, result.output
    assert "Queued 1 invitations" in result.output
    assert len(invitations()) == 1
    assert attendee_for_signin_secret("nope") is None
