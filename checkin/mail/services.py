"""The outbox: putting emails in it, and putting them back in the queue."""

import base64
import uuid
from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.mail.private import as_sent, unmarked


def one_line(text: str) -> str:
    """Header values never carry a line break, whatever a card says."""
    return " ".join((text or "").split())


def new_message_id() -> str:
    """A Message-ID unique to one outbox row."""
    domain = urlsplit(current_app.config["CHECKIN_BASE_URL"]).hostname or "localhost"
    return make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain)


def message_fields(*, to_address: str, subject: str, text_body: str, html_body: str = "",
                   attachments: list[dict] | None = None, headers: dict | None = None) -> dict:
    """An outbox row's content as stored: header values on one line, the subject cut to its
    column, a new Message-ID, and the private marks taken out of the bodies and headers
    with where each private part lies (cut once delivered). Every way into the outbox goes
    through here."""
    text_body, text_parts = unmarked(text_body)
    html_body, html_parts = unmarked(html_body)
    header_values, header_parts = {}, {}
    for name, value in (headers or {}).items():
        header_values[name], parts = unmarked(one_line(value))
        if parts:
            header_parts[name] = parts
    private_parts = {name: parts for name, parts in (
        ("text_body", text_parts), ("html_body", html_parts), ("headers", header_parts)) if parts}
    return {
        "to_address": one_line(as_sent(to_address)),
        "subject": one_line(as_sent(subject))[:300],
        "text_body": text_body,
        "html_body": html_body,
        "attachments": attachments or [],
        "headers": header_values,
        "message_id": new_message_id(),
        "private_parts": private_parts,
    }


def enqueue(
    *,
    kind: str,
    event_id: int | None,
    recipient: str,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    attachments: list[dict] | None = None,
    headers: dict | None = None,
    replace: bool = False,
) -> OutboxMessage:
    """The outbox row for (kind, event, recipient), made if missing; committed.

    With ``replace`` an existing row gets the new content and goes back to
    pending (a re-sent invitation); without it the existing row is left alone,
    so rendering the same batch twice adds nothing.
    """
    message = put_in_outbox(kind=kind, event_id=event_id, recipient=recipient,
                            to_address=to_address, subject=subject, text_body=text_body,
                            html_body=html_body, attachments=attachments, headers=headers,
                            replace=replace)
    db.session.commit()
    return message


def put_in_outbox(*, kind: str, event_id: int | None, recipient: str, to_address: str,
                  subject: str, text_body: str, html_body: str = "",
                  attachments: list[dict] | None = None, headers: dict | None = None,
                  replace: bool = False, send_at: datetime | None = None) -> OutboxMessage:
    """``enqueue`` inside the caller's transaction: the row is only added to the session.

    With ``send_at`` the message waits in the outbox until then (a reminder): the sender
    takes a row only once its ``next_attempt_at`` has come.
    """
    message = db.session.scalar(
        select(OutboxMessage).filter_by(kind=kind, event_id=event_id, recipient=recipient)
    )
    if message is not None and not replace:
        return message
    if message is None:
        message = OutboxMessage(kind=kind, event_id=event_id, recipient=recipient)
        db.session.add(message)
    fields = message_fields(to_address=to_address, subject=subject, text_body=text_body,
                            html_body=html_body, attachments=attachments, headers=headers)
    for name, value in fields.items():
        setattr(message, name, value)
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.last_error = ""
    message.next_attempt_at = send_at or now_utc()
    message.sent_at = None
    message.redacted_at = None
    return message


def reschedule(kind: str, event_id: int, send_at: datetime | None) -> None:
    """Move the messages of ``kind`` still waiting for ``event_id`` to ``send_at``, or drop
    them (``send_at`` None: the organizer turned them off). Flushes; the caller commits."""
    waiting = ((OutboxMessage.kind == kind) & (OutboxMessage.event_id == event_id)
               & (OutboxMessage.status == OutboxStatus.PENDING.value))
    if send_at is None:
        db.session.execute(delete(OutboxMessage).where(waiting)
                           .execution_options(synchronize_session=False))
    else:
        db.session.execute(update(OutboxMessage).where(waiting).values(next_attempt_at=send_at)
                           .execution_options(synchronize_session=False))


# Kinds rendered again by their own domain just before they go out, because what they say
# (or whether they still go) depends on that moment: a reminder is not sent to a guest who
# has checked in since. kind → function(message) that rewrites the message (``rewrite``) and
# answers True, or answers False to drop it. Registered by the domains that build on mail.
RENDERED_AT_SEND: dict = {}


def rendered_at_send(kind: str):
    """Register the function that renders messages of ``kind`` when they go out."""
    def register(function):
        RENDERED_AT_SEND[kind] = function
        return function
    return register


# Kinds of email one attendee's action sends another (a request to meet, an introduction):
# who wrote to whom is theirs, so the organizer's outbox never lists them, not even as a
# count. Registered by the domains that send them.
PERSONAL_KINDS: set[str] = set()


def personal_kind(kind: str) -> str:
    """Register ``kind`` as personal (see ``PERSONAL_KINDS``); returns it."""
    PERSONAL_KINDS.add(kind)
    return kind


def rewrite(message: OutboxMessage, **content) -> None:
    """Give ``message`` new content (``message_fields``'s arguments), as rendered now."""
    for name, value in message_fields(**content).items():
        setattr(message, name, value)


def attachment(filename: str, content_type: str, data: bytes, cid: str | None = None,
               private: bool = False) -> dict:
    """An attachment as the outbox keeps it; with ``cid`` it is an inline image; a
    ``private`` one (contacts with my notes) is dropped from the outbox once delivered."""
    item = {"filename": filename, "content_type": content_type,
            "data": base64.b64encode(data).decode()}
    if cid:
        item["cid"] = cid
    if private:
        item["private"] = True
    return item


def lease_expired_before(seconds: float | None = None) -> datetime:
    """A message ``sending`` since before this was left by a sender that died: a live one
    holds a message for a connect and a send at most, and the lease is longer than both."""
    if seconds is None:
        seconds = current_app.config["CHECKIN_MAIL_STUCK_AFTER"]
    return now_utc() - timedelta(seconds=seconds)


def resend(message: OutboxMessage) -> OutboxMessage:
    """Put a message back in the queue: after a failure, to send it once more, or when a
    killed sender left it ``sending`` past the lease. Refused while a live sender holds it
    (the condition is in the UPDATE, so a sender finishing meanwhile is never overwritten)
    and once a delivered copy lost its private parts (what would go out is not the email)."""
    if message.redacted_at is not None:
        raise DomainError("redacted", _(
            "This email was delivered and its sign-in link or private notes were then removed "
            "from the outbox, so it cannot be sent again as it was."), status=409)
    taken = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id,
               or_(OutboxMessage.status != OutboxStatus.SENDING,
                   OutboxMessage.updated_at <= lease_expired_before()))
        .values(status=OutboxStatus.PENDING.value, attempts=0, last_error="",
                next_attempt_at=now_utc(), sent_at=None, updated_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    db.session.refresh(message)
    if not taken:
        raise DomainError("sending", _("This message is being sent right now."), status=409)
    return message


def release_stuck(older_than_seconds: float | None = None) -> int:
    """Messages left ``sending`` by a killed sender go back to pending.

    This is the in-flight window: such a message may or may not have reached
    the server before its sender died, so it is sent again (at most once more).
    """
    cutoff = lease_expired_before(older_than_seconds)
    count = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.updated_at <= cutoff)
        .values(status=OutboxStatus.PENDING.value, next_attempt_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count
