"""The outbox delivers over SMTP and to files."""

from sqlalchemy import select

from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.mail.sender import deliver_pending
from checkin.mail.services import attachment, enqueue
from tests.factories import make_outbox


def test_outbox_delivers_to_a_real_smtp_server(app, event, smtp_server):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    make_outbox(event, subject="Hola\r\nBcc: evil@example.com", html_body="<p>Hola</p>",
                attachments=[attachment("a.vcf", "text/vcard", b"BEGIN:VCARD")])
    make_outbox(event)
    tally = deliver_pending()
    assert tally.sent == 2
    first = smtp_server.messages[0]
    assert first["Subject"] == "Hola Bcc: evil@example.com"
    assert first["Bcc"] is None
    assert [p.get_filename() for p in first.iter_attachments()] == ["a.vcf"]
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == ["sent", "sent"]


def test_enqueue_twice_keeps_one_row_unless_replaced(app, event):
    first = make_outbox(event, kind="invitation", recipient="attendee:1", subject="One")
    again = enqueue(kind="invitation", event_id=event.id, recipient="attendee:1",
                    to_address="x@example.com", subject="Two", text_body="t")
    assert again.id == first.id and again.subject == "One"
    replaced = enqueue(kind="invitation", event_id=event.id, recipient="attendee:1",
                       to_address="x@example.com", subject="Two", text_body="t", replace=True)
    assert replaced.id == first.id and replaced.subject == "Two"


def test_file_outbox_writes_eml_files(app, event, tmp_path):
    make_outbox(event)
    deliver_pending()
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    assert b"Hello there" in files[0].read_bytes()


def test_smtp_550_marks_the_message_failed_with_the_servers_words(app, event, smtp_server):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    smtp_server.script = ["550 5.1.1 No such user"]
    message = make_outbox(event)
    tally = deliver_pending()
    assert tally.failed == 1
    db.session.refresh(message)
    assert message.status == "failed" and "No such user" in message.last_error
