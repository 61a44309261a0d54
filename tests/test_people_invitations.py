"""The invitation email: a fresh link, the QR inline, the attendee's language, inert text."""

from email import message_from_bytes, policy

import pytest

from checkin.mail.mime import to_mime
from checkin.mail.models import OutboxMessage
from checkin.people.invitations import queue_invitation
from checkin.people.services import attendee_for_signin_secret
from checkin.qr import card_payload
from tests.qrtools import decode_qr


def sent(message: OutboxMessage):
    mime = to_mime(message, "checkin <noreply@localhost>")
    return message_from_bytes(bytes(mime), policy=policy.default)


def link_in(text: str) -> str:
    return next(word for word in text.split() if "/s/" in word)


def test_invitation_in_english_with_link_and_inline_qr(app, event, create_attendee):
    ana = create_attendee(event, first_name="Ana", last_name="García", language="en")
    message = queue_invitation(ana)
    assert message.kind == "invitation" and message.to_address == ana.person.email
    assert message.subject == f"Your card for {event.name}"
    assert "Hello Ana García," in message.text_body
    secret = link_in(message.text_body).rsplit("/", 1)[1]
    assert attendee_for_signin_secret(secret).id == ana.id
    assert ana.invited_at is not None
    mail = sent(message)
    html = mail.get_body(("html",)).get_content()
    assert 'src="cid:card-qr@checkin"' in html and link_in(message.text_body) in html
    images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<card-qr@checkin>"
    assert decode_qr(images[0].get_content()) == [card_payload("http://localhost", ana.card_code)]


def test_invitation_in_spanish(app, event, create_attendee):
    luis = create_attendee(event, first_name="Luis", last_name="Núñez", language="es")
    message = queue_invitation(luis)
    assert message.subject == f"Tu tarjeta para {event.name}"
    assert "Hola, Luis Núñez:" in message.text_body
    assert "Abrir mi tarjeta" in message.html_body


def test_language_falls_back_to_the_event(app, create_event, create_attendee):
    event = create_event(default_language="es")
    message = queue_invitation(create_attendee(event))
    assert message.subject.startswith("Tu tarjeta")


def test_a_new_invitation_replaces_the_old_one_and_its_link(app, event, create_attendee):
    ana = create_attendee(event)
    first = queue_invitation(ana)
    old_link = link_in(first.text_body)
    second = queue_invitation(ana)
    assert second.id == first.id and second.status == "pending"
    assert link_in(second.text_body) != old_link
    assert attendee_for_signin_secret(old_link.rsplit("/", 1)[1]) is None
    assert OutboxMessage.query.filter_by(kind="invitation").count() == 1


def test_no_email_no_invitation(app, event, create_attendee):
    from checkin.errors import DomainError

    with pytest.raises(DomainError) as error:
        queue_invitation(create_attendee(event, email=""))
    assert error.value.code == "no_email"


def test_hostile_names_are_inert(app, create_event, create_attendee):
    event = create_event(name='Party <img src=x onerror="alert(1)">')
    eve = create_attendee(event, display_name='<script>alert("x")</script>\r\nBcc: a@b.c',
                          language="en")
    message = queue_invitation(eve)
    assert "<script>" not in message.html_body and "<img src=x" not in message.html_body
    assert "&lt;script&gt;" in message.html_body
    mail = sent(message)
    assert mail["Bcc"] is None
    assert "\n" not in message.subject


def test_the_secret_is_kept_only_as_a_hash(app, event, create_attendee):
    ana = create_attendee(event)
    secret = link_in(queue_invitation(ana).text_body).rsplit("/", 1)[1]
    assert len(secret) >= 22  # ≥ 128 bits in URL-safe base64
    assert secret not in (ana.signin_token_hash or "")


def test_invitation_goes_out_over_smtp_with_its_qr(app, event, create_attendee, smtp_server):
    from checkin.mail.sender import deliver_pending

    ana = create_attendee(event, first_name="José", last_name="Núñez", language="es")
    queue_invitation(ana)
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    assert deliver_pending().sent == 1
    [mail] = smtp_server.messages
    assert mail["To"] == ana.person.email
    assert mail["Subject"] == f"Tu tarjeta para {event.name}"
    assert "Hola, José Núñez:" in mail.get_body(("plain",)).get_content()
    [image] = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert decode_qr(image.get_content()) == [card_payload("http://localhost", ana.card_code)]


@pytest.mark.parametrize(("lang", "before", "during"), [
    ("en", "Before the event, fill in your card", "The event has started: fill in your card now"),
    ("es", "Antes del evento, completa tu tarjeta", "El evento ya ha empezado: completa ya"),
])
def test_the_invitation_speaks_of_the_event_as_it_is(app, create_event, create_attendee, lang,
                                                     before, during):
    from datetime import timedelta

    from checkin.columns import now_utc

    coming = create_event(starts_at=now_utc() + timedelta(days=2))
    message = queue_invitation(create_attendee(coming, language=lang))
    assert before in message.text_body and before in message.html_body
    assert during not in message.text_body
    started = create_event(starts_at=now_utc() - timedelta(hours=1))
    message = queue_invitation(create_attendee(started, language=lang))
    assert during in message.text_body and during in message.html_body
    assert before not in message.text_body and before not in message.html_body
