"""POST /api/v1/events/{slug}/followups: queue and send the follow-ups of a closed event."""

from sqlalchemy import select

from checkin.accounts.models import Role
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from tests import factories
from tests.test_followups_render import build_meetup


def auth(organizer):
    _token, secret = factories.make_api_token(organizer)
    return {"Authorization": f"Bearer {secret}"}


def test_sends_once_and_a_second_call_queues_nothing(client, owner, tmp_path):
    event, _ = build_meetup(owner)
    headers = auth(owner)
    url = f"/api/v1/events/{event.slug}/followups"
    response = client.post(url, headers=headers, json={"deliver_seconds": 5})
    assert response.status_code == 200, response.json
    assert response.json["recipients"] == 4 and response.json["queued"] == 4
    assert response.json["summaries_queued"] == 1
    assert response.json["outbox"] == {"pending": 0, "sending": 0, "sent": 5, "failed": 0,
                                       "total": 5}
    again = client.post(url, headers=headers)
    assert again.status_code == 200 and again.json["queued"] == 0
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5
    status = client.get(url, headers=headers)
    assert status.json["outbox"]["sent"] == 5


def test_queue_only_answers_202_with_what_waits(client, owner):
    event, _ = build_meetup(owner)
    response = client.post(f"/api/v1/events/{event.slug}/followups", headers=auth(owner),
                           json={"deliver_seconds": 0})
    assert response.status_code == 202 and response.json["outbox"]["pending"] == 5


def test_refusals(client, owner):
    event, _ = build_meetup(owner, close=False)
    url = f"/api/v1/events/{event.slug}/followups"
    assert client.post(url).status_code == 401
    door = factories.make_staff(event, Role.DOOR)
    assert client.post(url, headers=auth(door)).status_code == 404
    stranger = factories.make_organizer()
    assert client.post(url, headers=auth(stranger)).status_code == 404
    headers = auth(owner)
    response = client.post(url, headers=headers)
    assert response.status_code == 409 and response.json["error"]["code"] == "event_open"
    assert client.post(url, headers=headers, json={"deliver_seconds": 99}).status_code == 400
    assert client.post(url, headers=headers, json=[1]).status_code == 400
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_the_path_is_in_the_openapi_document(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert set(document["paths"]["/events/{slug}/followups"]) == {"get", "post"}
