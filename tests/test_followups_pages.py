"""Console pages after the event, the unsubscribe page and the CLI: what owners see, refusals."""

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from checkin.accounts.models import Role
from checkin.columns import now_utc
from checkin.extensions import db
from checkin.followups.render import unsubscribe_token
from checkin.mail.models import OutboxMessage
from checkin.mail.sender import deliver_pending
from checkin.people.models import Person
from tests import factories
from tests.conftest import csrf_token_from, login
from tests.test_followups_render import build_meetup

PAGES = ["followups", "outbox", "summary"]


@pytest.fixture
def meetup(owner):
    return build_meetup(owner)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, meetup, page):
    event, _ = meetup
    response = client.get(f"/console/events/{event.slug}/{page}")
    assert response.status_code == 302 and "/console/login" in response.location


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["door", "stranger"])
def test_door_staff_and_other_organizers_get_404(client, meetup, page, who):
    event, _ = meetup
    other = factories.make_staff(event, Role.DOOR) if who == "door" \
        else factories.make_organizer()
    login(client, other)
    assert client.get(f"/console/events/{event.slug}/{page}").status_code == 404
    assert client.post(f"/console/events/{event.slug}/followups/send").status_code == 404
    assert client.post(f"/console/events/{event.slug}/followups/close").status_code == 404


def test_owner_closes_the_event_and_connections_are_then_refused(client, owner):
    event, people = build_meetup(owner, close=False)
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/followups")
    assert b"Close the event" in page.data
    response = client.post(f"/console/events/{event.slug}/followups/close",
                           data={"confirmed": "yes"})
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.is_closed
    page = client.get(response.location)
    assert b"no more connections or notes" in page.data
    from checkin.connections.services import record_connection
    from checkin.errors import DomainError
    with pytest.raises(DomainError) as refused:
        record_connection(people["nora"], people["marta"])
    assert refused.value.code == "event_closed"


def test_closing_needs_the_csrf_token(csrf_app, owner):
    event, _ = build_meetup(owner, close=False)
    client = csrf_app.test_client()
    login_page = client.get("/console/login")
    client.post("/console/login", data={"email": owner.email, "password": factories.PASSWORD,
                                        "csrf_token": csrf_token_from(login_page.text)})
    assert client.post(f"/console/events/{event.slug}/followups/close").status_code == 400
    db.session.refresh(event)
    assert not event.is_closed


def test_preview_shows_the_email_as_it_will_be_sent(client, owner, meetup):
    event, people = meetup
    login(client, owner)
    search = client.get(f"/console/events/{event.slug}/followups?q=ana")
    assert "Ana Tester" in search.text
    page = client.get(f"/console/events/{event.slug}/followups?attendee={people['ana'].id}")
    assert "A quién conociste en Café Networking" in page.text  # Ana reads Spanish
    assert "contacts.vcf" in page.text
    # Ana's note is hers alone: the organizer sees where it goes, never what it says.
    assert "Quiere fotos para la web" not in page.text
    assert "solo Ana Tester puede leerla" in page.text
    frame = client.get(f"/console/events/{event.slug}/followups/preview/{people['ana'].id}.html")
    assert frame.status_code == 200 and "Marta Tester" in frame.text
    assert "Quiere fotos para la web" not in frame.text
    assert "style-src 'unsafe-inline'" in frame.headers["Content-Security-Policy"]
    assert "script-src" not in frame.headers["Content-Security-Policy"]
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_preview_of_someone_from_another_event_is_404(client, owner, meetup):
    event, _ = meetup
    stranger = factories.make_attendee(factories.make_event(owner))
    login(client, owner)
    assert client.get(f"/console/events/{event.slug}/followups?attendee={stranger.id}"
                      ).status_code == 404
    assert client.get(f"/console/events/{event.slug}/followups/preview/{stranger.id}.html"
                      ).status_code == 404
    assert client.post(f"/console/events/{event.slug}/followups/test",
                       data={"attendee": stranger.id}).status_code == 404


def test_test_copy_goes_to_the_owner(client, owner, meetup, tmp_path):
    event, people = meetup
    login(client, owner)
    response = client.post(f"/console/events/{event.slug}/followups/test",
                           data={"attendee": people["luis"].id})
    assert response.status_code == 303
    message = db.session.scalar(select(OutboxMessage).filter_by(kind="followup_test"))
    assert message.to_address == owner.email and message.status == "sent"
    assert "Luis Tester" in message.subject
    eml = next((tmp_path / "outbox").glob("*.eml")).read_bytes()
    assert b"Ana Tester" in eml
    assert b"Knows suppliers" not in eml and "Knows suppliers" not in message.text_body
    # No follow-up went to an attendee.
    assert db.session.scalar(select(OutboxMessage).filter_by(kind="followup")) is None


def test_send_from_the_console_then_the_outbox_lists_and_resends(client, owner, meetup):
    event, _ = meetup
    login(client, owner)
    response = client.post(f"/console/events/{event.slug}/followups/send")
    assert response.status_code == 303 and response.location.endswith("/outbox")
    outbox = client.get(response.location)
    assert "Sent 5, failed 0" in outbox.text  # four follow-ups and the owner's summary
    assert "ana@example.com" in outbox.text and owner.email in outbox.text
    message = db.session.scalar(select(OutboxMessage).filter_by(to_address="ana@example.com"))
    resent = client.post(f"/console/events/{event.slug}/outbox/{message.id}/resend")
    assert resent.status_code == 303
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 0
    # A second press queues nobody twice.
    client.post(f"/console/events/{event.slug}/followups/send")
    assert db.session.query(OutboxMessage).filter_by(kind="followup").count() == 4


def test_sending_an_open_event_is_refused(client, owner):
    event, _ = build_meetup(owner, close=False)
    login(client, owner)
    response = client.post(f"/console/events/{event.slug}/followups/send")
    assert response.status_code == 409
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_resend_of_another_events_message_is_404(client, owner, meetup):
    event, _ = meetup
    other = factories.make_outbox(factories.make_event(owner))
    login(client, owner)
    assert client.post(f"/console/events/{event.slug}/outbox/{other.id}/resend"
                       ).status_code == 404


def test_outbox_shows_failures_with_the_servers_words(client, owner, meetup):
    event, _ = meetup
    message = factories.make_outbox(event)
    message.status, message.last_error = "failed", "550 5.1.1 No such user"
    db.session.commit()
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/outbox?status=failed")
    assert "550 5.1.1 No such user" in page.text
    client.post(f"/console/events/{event.slug}/outbox/resend-failed")
    db.session.refresh(message)
    assert message.status == "pending"


def test_summary_page_shows_attendance_connections_and_the_network(client, owner, meetup):
    event, _ = meetup
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/summary")
    assert page.status_code == 200
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page.text))
    assert figures["Registered"] == "6" and figures["Checked in"] == "5"
    assert figures["No-shows"] == "1" and figures["Connections"] == "3"
    assert page.text.count("<svg") == 2 and "<circle" in page.text
    assert "Luis Tester — 2 connections" in page.text or "Ana Tester — 2 connections" in page.text
    assert len(page.data) < 30_000


def test_summary_email_goes_to_each_owner_with_the_csvs(app, owner, meetup):
    from checkin.followups.summary import queue_summaries

    event, _ = meetup
    second = factories.make_staff(event, Role.OWNER)
    factories.make_staff(event, Role.DOOR)
    assert queue_summaries(event) == 2
    assert queue_summaries(event) == 0
    messages = db.session.scalars(select(OutboxMessage).filter_by(kind="summary")).all()
    assert {m.to_address for m in messages} == {owner.email, second.email}
    assert [a["filename"] for a in messages[0].attachments] == [
        "arrivals.svg", "network.svg", "attendees.csv", "connections.csv"]
    assert "Registered: 6" in messages[0].text_body


def test_unsubscribe_page_asks_first_then_one_click_post_works(csrf_app, meetup):
    _, people = meetup
    person = people["ana"].person
    client = csrf_app.test_client()
    url = f"/u/{unsubscribe_token(person)}"
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe" in page.text
    db.session.refresh(person)
    assert person.followups_unsubscribed_at is None  # a link scanner's GET changes nothing
    done = csrf_app.test_client().post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "unsubscribed" in done.text
    db.session.refresh(person)
    assert person.followups_unsubscribed_at is not None


def test_unsubscribe_with_a_forged_token_is_404(client, meetup):
    assert client.get("/u/1.forged").status_code == 404
    assert client.post("/u/nonsense").status_code == 404
    assert db.session.scalar(select(Person).where(
        Person.followups_unsubscribed_at.is_not(None), Person.email != "ulla@example.com")) is None


def test_cli_closes_and_sends_and_a_second_run_adds_nothing(runner, owner, tmp_path):
    event, _ = build_meetup(owner, close=False)
    refused = runner.invoke(args=["followups", "send", event.slug])
    assert refused.exit_code == 1 and "Close the event" in refused.output
    closed = runner.invoke(args=["events", "close", event.slug])
    assert closed.exit_code == 0 and "Closed" in closed.output
    sent = runner.invoke(args=["followups", "send", event.slug])
    assert sent.exit_code == 0, sent.output
    assert "Queued 4 follow-up(s) and 1 organizer summary" in sent.output
    assert "Sent 5, failed 0, waiting 0" in sent.output
    again = runner.invoke(args=["followups", "send", event.slug])
    assert "Queued 0 follow-up(s) and 0" in again.output and "Sent 0" in again.output
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5
    assert deliver_pending().sent == 0


def test_cli_refuses_an_unknown_event(runner):
    result = runner.invoke(args=["followups", "send", "nope"])
    assert result.exit_code == 1 and "No such event" in result.output


@pytest.mark.browser
def test_the_pages_render_without_csp_violations_on_a_phone(live_server, page, owner, meetup,
                                                            tmp_path):
    event, people = meetup
    problems = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "favicon" not in m.location.get("url", "") else None)
    page.goto(f"{live_server.url}/console/login")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/console/events/{event.slug}/followups"
              f"?attendee={people['ana'].id}")
    frame = page.frame_locator("iframe.fu-preview")
    assert frame.locator("text=Marta Tester").first.is_visible()
    page.screenshot(path=str(tmp_path / "followups.png"), full_page=True)
    page.goto(f"{live_server.url}/console/events/{event.slug}/summary")
    assert page.locator("svg.network circle").count() == 4  # everyone who met someone
    page.screenshot(path=str(tmp_path / "summary.png"), full_page=True)
    if os.environ.get("FOLLOWUPS_SCREENSHOTS"):
        for name in ("followups.png", "summary.png"):
            shutil.copy(tmp_path / name, Path(os.environ["FOLLOWUPS_SCREENSHOTS"]) / name)
    assert problems == []


def test_cli_send_with_extra_sender_processes_sends_each_once(runner, app, owner, smtp_server,
                                                              database_url, monkeypatch):
    event, _ = build_meetup(owner)
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    for name, value in (("CHECKIN_DATABASE_URL", database_url),
                        ("CHECKIN_MAIL_URL", smtp_server.url),
                        ("CHECKIN_SECRET_KEY", app.config["SECRET_KEY"]),
                        ("CHECKIN_BASE_URL", "http://localhost")):
        monkeypatch.setenv(name, value)
    result = runner.invoke(args=["followups", "send", event.slug, "--senders", "2"])
    assert result.exit_code == 0, result.output
    assert "All senders: sent 5, failed 0, waiting 0" in result.output
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == sorted(["ana@example.com", "luis@example.com", "marta@example.com",
                                 "nora@example.com", owner.email])


def test_a_follow_up_to_someone_who_unsubscribed_cannot_be_resent(client, owner, meetup):
    from checkin.followups.services import unsubscribe

    event, people = meetup
    login(client, owner)
    client.post(f"/console/events/{event.slug}/followups/send")
    unsubscribe(people["ana"].person)
    message = db.session.scalar(select(OutboxMessage).filter_by(to_address="ana@example.com"))
    response = client.post(f"/console/events/{event.slug}/outbox/{message.id}/resend")
    assert response.status_code == 409
    db.session.refresh(message)
    assert message.status == "sent"


def _claimed(message, seconds_ago: float) -> None:
    """``message`` as a sender leaves it when it claims it, ``seconds_ago``."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(
        status="sending", attempts=1, updated_at=now_utc() - timedelta(seconds=seconds_ago)))
    db.session.commit()


def test_a_message_a_killed_sender_left_sending_can_be_sent_again_from_the_outbox(
        app, client, owner, meetup):
    event, _ = meetup
    lease = app.config["CHECKIN_MAIL_STUCK_AFTER"]
    live = factories.make_outbox(event, to_address="live@example.com")
    stuck = factories.make_outbox(event, to_address="stuck@example.com")
    _claimed(live, 1)
    _claimed(stuck, lease + 5)
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/outbox?status=sending").text
    assert page.count("Stuck: the sender stopped while sending it") == 1
    assert page.count(">Send again</button>") == 1
    assert client.post(f"/console/events/{event.slug}/outbox/{live.id}/resend"
                       ).status_code == 409
    response = client.post(f"/console/events/{event.slug}/outbox/{stuck.id}/resend")
    assert response.status_code == 303
    db.session.refresh(live)
    db.session.refresh(stuck)
    assert live.status == "sending"
    assert stuck.status == "pending" and stuck.attempts == 0


def test_the_spanish_outbox_says_each_kind_in_words_at_the_venues_time(client, owner):
    from datetime import UTC, datetime

    event, people = build_meetup(owner)  # Europe/Madrid: UTC+1 in winter
    for kind, n in (("invitation", 1), ("followup", 2), ("summary", 3),
                    ("staff_invitation", 4), ("followup_test", 5)):
        message = factories.make_outbox(event, kind=kind, recipient=f"x:{n}")
        message.status = "sent"
        message.sent_at = datetime(2026, 12, 1, 18, 5, tzinfo=UTC)
    db.session.commit()
    login(client, owner)
    client.post("/lang", data={"lang": "es", "next": "/console/"})
    page = client.get(f"/console/events/{event.slug}/outbox").text
    for words in ("Invitación ·", "Seguimiento ·", "Resumen ·", "Invitación al equipo ·",
                  "Copia de prueba del seguimiento ·"):
        assert words in page
    for kind in ("staff_invitation", "followup_test", ">followup", ">summary"):
        assert kind not in page
    assert "enviado el 2026-12-01 19:05" in page and "UTC" not in page
    assert "zona horaria del evento (Europe/Madrid)" in page
