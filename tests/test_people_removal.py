"""Removing a guest, whoever asks: nothing of theirs stays behind (outbox, QR drawing, card)."""

import base64

import pytest
from sqlalchemy import func, select

from checkin.extensions import db
from checkin.followups.services import queue_followups
from checkin.followups.summary import queue_summaries, render_summary
from checkin.mail.models import OutboxMessage
from checkin.people.invitations import queue_invitation
from checkin.people.models import Attendee, Person
from checkin.qr import card_payload
from checkin.qr.models import QrDrawing
from tests.conftest import login
from tests.factories import make_api_token, make_attendee, make_connection, make_event
from tests.people_helpers import sign_in_as
from tests.test_followups_render import build_meetup


def _remove_from_console(client, owner, event, attendee_id):
    login(client, owner)
    response = client.post(f"/console/events/{event.slug}/attendees/{attendee_id}/remove",
                           data={"confirmed": "yes"})
    assert response.status_code == 303


def _remove_from_api(client, owner, event, attendee_id):
    _, secret = make_api_token(owner)
    response = client.delete(f"/api/v1/events/{event.slug}/attendees/{attendee_id}",
                             headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 204


def _delete_me(client, owner, event, attendee_id):
    sign_in_as(client, db.session.get(Attendee, attendee_id))
    assert client.post(f"/e/{event.slug}/me/delete").status_code == 303


@pytest.mark.parametrize("remove", [_remove_from_console, _remove_from_api, _delete_me])
def test_removal_leaves_no_outbox_row_or_qr_drawing(app, client, owner, event, remove):
    ana = make_attendee(event, first_name="Ana")
    queue_invitation(ana)  # a pending invitation, and the card's QR drawn for it
    payload = card_payload(app.config["CHECKIN_BASE_URL"], ana.card_code)
    ana_id, person_id, recipient = ana.id, ana.person_id, f"attendee:{ana.id}"
    assert db.session.scalar(select(QrDrawing.id).filter_by(payload=payload)) is not None
    remove(client, owner, event, ana_id)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .filter_by(recipient=recipient)) == 0
    assert db.session.scalar(select(QrDrawing.id).filter_by(payload=payload)) is None
    assert db.session.get(Attendee, ana_id) is None and db.session.get(Person, person_id) is None


def test_the_summary_attaches_the_console_exports(app, client, owner):
    event = make_event(owner, timezone="America/Mexico_City")
    ana = make_attendee(event, first_name="Ana", company="=cmd")
    make_connection(ana, make_attendee(event, first_name="Luis"))
    files = {a["filename"]: base64.b64decode(a["data"])
             for a in render_summary(event, owner).attachments}
    login(client, owner)
    for name in ("attendees", "connections"):
        exported = client.get(f"/console/events/{event.slug}/exports/{name}.csv", buffered=True)
        assert files[f"{name}.csv"] == exported.data
    assert b"checked_in_at (America/Mexico_City)" in files["attendees.csv"]


def test_someone_removed_after_rendering_is_gone_from_pending_emails(app, client, owner):
    event, people = build_meetup(owner)
    queue_followups(event)
    queue_summaries(event)
    pending = select(OutboxMessage).filter_by(status="pending")

    def mentioning(name):
        return sorted(m.recipient for m in db.session.scalars(pending)
                      if name in m.text_body + m.html_body + "".join(
                          base64.b64decode(a["data"]).decode("utf-8", "replace")
                          for a in m.attachments))

    ana = f"attendee:{people['ana'].id}"
    assert ana in mentioning("Luis Tester")  # Ana met Luis
    sign_in_as(client, people["luis"])
    assert client.post(f"/e/{event.slug}/me/delete").status_code == 303
    db.session.expire_all()
    assert mentioning("Luis Tester") == []
    assert ana in mentioning("Marta Tester")  # Ana's email was rendered again, still whole
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .filter_by(status="pending", kind="followup")) == 3
