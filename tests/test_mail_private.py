"""Delivered emails leave no secret in the outbox: sign-in links and private notes are sent,
then cut from the stored copy; the console still shows what went out."""

import json
import re
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from checkin.columns import now_utc
from checkin.extensions import db
from checkin.followups.render import unsubscribe_url
from checkin.followups.services import queue_followups
from checkin.mail.models import OutboxMessage
from checkin.mail.private import REMOVED, cut, private, unmarked
from checkin.mail.sender import deliver_pending
from checkin.mail.services import enqueue
from checkin.people.invitations import queue_invitation
from checkin.people.services import attendee_for_signin_secret
from tests import factories
from tests.conftest import login
from tests.test_followups_render import build_meetup, by_recipient

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_-]+)")
MARKS = re.compile("[\ue000\ue001]")


def stored(message: OutboxMessage) -> str:
    """Everything the outbox row holds that a reader of the table could see."""
    db.session.refresh(message)
    return json.dumps([message.subject, message.text_body, message.html_body, message.headers,
                       message.attachments], ensure_ascii=False)


def test_an_invitation_row_keeps_its_link_only_until_the_server_accepts_it(
        app, event, smtp_server, create_attendee):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    message = queue_invitation(create_attendee(event, first_name="Ana"))
    secret = LINK.search(message.text_body).group(1)
    assert LINK.search(message.html_body).group(1) == secret  # stored exactly as it goes out
    assert not MARKS.search(stored(message))
    assert deliver_pending().sent == 1
    [mail] = smtp_server.messages
    assert LINK.search(mail.get_body(("plain",)).get_content()).group(1) == secret
    assert not MARKS.search(mail.as_string())
    row = stored(message)
    assert secret not in row and "/s/" not in row
    assert message.status == "sent" and message.redacted_at is not None
    assert f"\n{REMOVED}\n" in message.text_body and "Hello Ana" in message.text_body
    assert attendee_for_signin_secret(secret) is not None  # the guest's own email still works


def test_a_follow_up_row_loses_the_private_notes_and_contacts_once_delivered(
        app, owner, smtp_server):
    event, people = build_meetup(owner)
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    queue_followups(event)
    deliver_pending()
    luis_mail = by_recipient(smtp_server)["luis@example.com"]
    assert "Knows suppliers for shoe shops" in luis_mail.get_body(("plain",)).get_content()
    row = db.session.scalar(select(OutboxMessage).filter_by(
        kind="followup", recipient=f"attendee:{people['luis'].id}"))
    unsubscribe = unsubscribe_url(people["luis"].person)
    assert unsubscribe in luis_mail.get_body(("plain",)).get_content()
    assert unsubscribe in luis_mail["List-Unsubscribe"]
    kept = stored(row)
    assert "Knows suppliers" not in kept and unsubscribe not in kept
    assert "Ana Tester" in row.text_body  # who they met is still there to read
    assert [a["filename"] for a in row.attachments] == ["contacts.vcf", "contacts.csv"]
    assert all(a["data"] == "" for a in row.attachments)


def test_a_note_cannot_end_its_own_private_part_early(app, event, smtp_server):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    sly = "first half \ue001 second half \ue000"
    message = enqueue(kind="test", event_id=event.id, recipient="attendee:1",
                      to_address="a@example.com", subject="Hi",
                      text_body=f"Your note: {private(sly)}\nBye")
    deliver_pending()
    assert smtp_server.messages[0].get_content().startswith("Your note: first half  second half")
    assert stored(message) and message.text_body == f"Your note: {REMOVED}\nBye"


def test_a_staff_link_is_cut_from_the_outbox_once_delivered(app, client, owner, event,
                                                            smtp_server):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    login(client, owner)
    page = client.post(f"/console/events/{event.slug}/staff",
                       data={"email": "door@example.org", "role": "door"})
    link = re.search(r'class="secret">http://localhost(/console/join/[^<]+)<', page.text).group(1)
    deliver_pending()
    assert link in smtp_server.messages[0].get_content()
    message = db.session.scalar(select(OutboxMessage).filter_by(kind="staff_invitation"))
    assert link not in stored(message) and "/console/join/" not in message.text_body


def test_the_outbox_page_shows_what_was_sent_without_the_secret(
        app, client, owner, event, smtp_server, create_attendee):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    message = queue_invitation(create_attendee(event, first_name="Ana"))
    old_secret = LINK.search(message.text_body).group(1)
    deliver_pending()
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/outbox").text
    assert "What was sent, without its sign-in link and private notes" in page
    assert "Hello Ana" in page and REMOVED in page and "/s/" not in page
    # Resent, a delivered invitation is made anew: a new working link, the old one stops.
    resent = client.post(f"/console/events/{event.slug}/outbox/{message.id}/resend")
    assert resent.status_code == 303
    db.session.refresh(message)
    assert message.status == "pending" and message.redacted_at is None
    new_secret = LINK.search(message.text_body).group(1)
    assert new_secret != old_secret
    assert attendee_for_signin_secret(new_secret) is not None
    assert attendee_for_signin_secret(old_secret) is None


def test_a_delivered_staff_link_cannot_be_resent_from_the_outbox(app, client, owner, event,
                                                                 smtp_server):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    login(client, owner)
    client.post(f"/console/events/{event.slug}/staff",
                data={"email": "door@example.org", "role": "door"})
    deliver_pending()
    message = db.session.scalar(select(OutboxMessage).filter_by(kind="staff_invitation"))
    refused = client.post(f"/console/events/{event.slug}/outbox/{message.id}/resend")
    assert refused.status_code == 409 and "cannot be sent again as it was" in refused.text
    db.session.refresh(message)
    assert message.status == "sent"


def test_an_email_with_nothing_private_stays_as_it_was(app, event, smtp_server):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    message = factories.make_outbox(event, text_body="Registered: 6")
    deliver_pending()
    db.session.refresh(message)
    assert message.text_body == "Registered: 6" and message.redacted_at is None


@pytest.mark.slow
def test_the_migration_empties_emails_delivered_before_it_that_held_secrets(app, event):
    event_id = event.id  # read before the schema goes back to a time without communities
    db.session.commit()  # and let go of the table, which PostgreSQL's ALTER waits for
    downgrade(revision="0004")
    columns = ("kind, event_id, recipient, to_address, subject, text_body, html_body, "
               "attachments, headers, message_id, status, attempts, last_error, created_at, "
               "updated_at, next_attempt_at")
    for n, (kind, status) in enumerate([("invitation", "sent"), ("invitation", "pending"),
                                        ("summary", "sent")]):
        db.session.execute(text(
            f"INSERT INTO outbox ({columns}) VALUES (:kind, :event, :who, 'a@example.com', "
            "'Hi', 'link http://localhost/s/SECRET', '<a href=\"http://localhost/s/SECRET\">', "
            "'[]', '{}', :mid, :status, 1, '', :now, :now, :now)"),
            {"kind": kind, "event": event_id, "who": f"attendee:{n}", "mid": f"<{n}@x>",
             "status": status, "now": now_utc() - timedelta(days=1)})
    db.session.commit()
    upgrade()
    rows = {(m.kind, m.status): m for m in db.session.scalars(select(OutboxMessage))}
    assert "SECRET" not in stored(rows["invitation", "sent"])
    assert rows["invitation", "sent"].redacted_at is not None
    assert "SECRET" in rows["invitation", "pending"].text_body  # still to be delivered
    assert rows["summary", "sent"].redacted_at is None


def test_the_organizers_preview_shows_no_marks(client, owner):
    event, people = build_meetup(owner)
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/followups?attendee={people['luis'].id}")
    frame = client.get(f"/console/events/{event.slug}/followups/preview/{people['luis'].id}.html")
    assert page.status_code == frame.status_code == 200
    assert unsubscribe_url(people["luis"].person) in frame.text
    assert "(A private note" in page.text
    assert not MARKS.search(page.text) and not MARKS.search(frame.text)


@pytest.mark.parametrize(("marked", "kept", "parts"), [
    ("a" + private("b") + "c", "abc", [[1, 2]]),
    ("x\ue000y", "xy", [[1, 2]]),  # a start with no end: private to the end
    ("x\ue001y\ue000\ue001z", "xyz", []),  # a stray end, an empty part
    ("\ue000a\ue000b\ue001c", "abc", [[0, 2]]),  # a start smuggled before one: wider
    ("", "", []),
])
def test_marks_come_out_and_say_where_the_private_parts_lie(marked, kept, parts):
    assert unmarked(marked) == (kept, parts)
    assert cut(kept, parts).count(REMOVED) == len(parts)


def test_cutting_in_one_pass_cuts_what_cutting_one_part_at_a_time_did():
    def one_at_a_time(text, parts):
        for start, end in sorted(parts, reverse=True):
            text = text[:start] + REMOVED + text[end:]
        return text

    text = "Hola Ana, tu nota: privada. Enlace: secreto. Fin."
    for parts in ([], [[19, 27]], [[36, 43], [19, 27]], [[0, 4], [4, 4], [49, 50]],
                  [[3, 10], [5, 8]], [[10, 3]], [[40, 80]]):  # the last three: any other shape
        assert cut(text, parts) == one_at_a_time(text, parts)
