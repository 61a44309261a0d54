"""Before the event: the invitation carries it as an .ics, and a reminder waits in the outbox
until its hour, for guests not checked in (issue 12, "Reminders before the event")."""

import base64
from datetime import timedelta

import pytest
from icalendar import Calendar

from checkin.columns import now_utc
from checkin.events.services import update_event
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.mail.sender import deliver_pending
from checkin.people.invitations import queue_invitation
from tests.conftest import login
from tests.factories import make_event


@pytest.fixture
def tomorrow(owner):
    """An event that starts in 30 hours, in Madrid; its reminder is due in 6."""
    start = (now_utc() + timedelta(hours=30)).replace(second=0, microsecond=0)
    return make_event(owner, name="Noche de oficios", starts_at=start, timezone="Europe/Madrid",
                      venue="Calle Mayor 1, Madrid", default_language="es")


def sent_to(smtp_server, kind_subject: str) -> list[str]:
    return sorted(m["To"] for m in smtp_server.messages if m["Subject"].startswith(kind_subject))


def deliver_at(app, smtp_server, monkeypatch, when):
    """Run the sender as if the clock read ``when``."""
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    monkeypatch.setattr("checkin.mail.sender.now_utc", lambda: when)
    return deliver_pending(wait=False)


def test_the_invitation_carries_the_event_as_an_ics_in_its_time_zone(tomorrow, create_attendee):
    ana = create_attendee(tomorrow, first_name="Ana", email="ana@example.com")
    message = queue_invitation(ana)
    (ics,) = [a for a in message.attachments if a["content_type"] == "text/calendar"]
    assert ics["filename"] == f"{tomorrow.slug}.ics"
    calendar = Calendar.from_ical(base64.b64decode(ics["data"]))
    (entry,) = calendar.walk("VEVENT")
    start = entry.decoded("dtstart")
    assert start == tomorrow.starts_at and entry.decoded("dtend") == tomorrow.ends_at
    assert start.tzinfo.key == "Europe/Madrid" and entry["dtstart"].params["TZID"] == \
        "Europe/Madrid"
    assert start.hour == tomorrow.starts_at.astimezone(start.tzinfo).hour
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    assert str(entry["summary"]) == "Noche de oficios"
    assert str(entry["location"]) == "Calle Mayor 1, Madrid"
    assert str(entry["url"]).endswith(f"/e/{tomorrow.slug}")


def test_a_reminder_goes_at_its_hour_once_and_not_to_checked_in_guests(
        app, tomorrow, create_attendee, smtp_server, monkeypatch):
    ana = create_attendee(tomorrow, first_name="Ana", email="ana@example.com")
    luis = create_attendee(tomorrow, first_name="Luis", email="luis@example.com",
                           language="en", what_i_do="Shoes", offer="Suppliers")
    zoe = create_attendee(tomorrow, first_name="Zoe", email="zoe@example.com")
    for guest in (ana, luis, zoe):
        queue_invitation(guest)
    reminders = OutboxMessage.query.filter_by(kind="reminder").all()
    assert {m.next_attempt_at for m in reminders} == {tomorrow.starts_at - timedelta(hours=24)}

    now = now_utc()
    deliver_at(app, smtp_server, monkeypatch, now)
    assert len(sent_to(smtp_server, "Tu tarjeta")) == 2  # the invitations, not the reminders
    assert sent_to(smtp_server, "Recordatorio") == []

    zoe.checked_in_at = now  # Zoe came early (the door check-in)
    db.session.commit()
    due = tomorrow.reminder_at
    deliver_at(app, smtp_server, monkeypatch, due - timedelta(minutes=1))
    assert sent_to(smtp_server, "Recordatorio") == []
    tally = deliver_at(app, smtp_server, monkeypatch, due + timedelta(seconds=1))
    assert sent_to(smtp_server, "Recordatorio") == ["ana@example.com"]
    assert sent_to(smtp_server, "Reminder") == ["luis@example.com"]
    assert tally.sent == 2 and tally.dropped == 1
    deliver_at(app, smtp_server, monkeypatch, due + timedelta(hours=1))
    assert len(sent_to(smtp_server, "Recordatorio") + sent_to(smtp_server, "Reminder")) == 2

    by_address = {m["To"]: m.get_body(("plain",)).get_content() for m in smtp_server.messages
                  if m["Subject"].startswith(("Recordatorio", "Reminder"))}
    # Ana's card is empty: she is nudged to fill it in; Luis has written his.
    assert "Tu tarjeta sigue vacía" in by_address["ana@example.com"]
    assert "Your card is still empty" not in by_address["luis@example.com"]
    assert f"/e/{tomorrow.slug}/me" in by_address["luis@example.com"]
    assert "/s/" not in by_address["ana@example.com"]  # no sign-in link in a reminder


def test_the_organizer_moves_the_reminder_or_turns_it_off(app, client, owner, tomorrow,
                                                          create_attendee):
    ana = create_attendee(tomorrow, first_name="Ana", email="ana@example.com")
    queue_invitation(ana)
    login(client, owner)
    page = client.get(f"/console/events/{tomorrow.slug}/edit", headers={"Accept-Language": "es"})
    assert "Recordatorio por correo" in page.text
    local = tomorrow.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Madrid"))
    form = {"name": tomorrow.name, "slug": tomorrow.slug,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
            "timezone": "Europe/Madrid", "venue": tomorrow.venue, "default_language": "es"}
    assert client.post(f"/console/events/{tomorrow.slug}/edit",
                       data={**form, "reminder_hours_before": "2"}).status_code == 303
    db.session.expire_all()
    reminder = OutboxMessage.query.filter_by(kind="reminder").one()
    assert reminder.next_attempt_at == tomorrow.starts_at - timedelta(hours=2)
    assert client.post(f"/console/events/{tomorrow.slug}/edit",
                       data={**form, "reminder_hours_before": ""}).status_code == 303
    assert OutboxMessage.query.filter_by(kind="reminder").count() == 0
    db.session.expire_all()
    queue_invitation(ana)  # invited again while reminders are off: none waits
    assert OutboxMessage.query.filter_by(kind="reminder").count() == 0


def test_a_reminder_hour_the_app_does_not_offer_is_refused(tomorrow):
    from checkin.errors import DomainError

    with pytest.raises(DomainError) as refused:
        update_event(tomorrow, reminder_hours_before=5)
    assert refused.value.code == "bad_reminder"
    assert refused.value.field == "reminder_hours_before"


def test_no_reminder_once_its_hour_has_passed(owner, create_attendee):
    soon = make_event(owner, starts_at=now_utc() + timedelta(hours=3))
    queue_invitation(create_attendee(soon, email="late@example.com"))
    assert OutboxMessage.query.filter_by(kind="reminder").count() == 0
