"""Putting emails in the outbox, turning them into MIME, and delivering them."""

import base64
import contextlib
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import select, update

from checkin.columns import now_utc
from checkin.extensions import db
from checkin.mail.models import OutboxMessage, OutboxStatus


def _one_line(text: str) -> str:
    """Header values never carry a line break, whatever a card says."""
    return " ".join((text or "").split())


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
    commit: bool = True,
) -> OutboxMessage:
    """The outbox row for (kind, event, recipient), made if missing.

    With ``replace`` an existing row gets the new content and goes back to
    pending (a re-sent invitation); without it the existing row is left alone,
    so rendering the same batch twice adds nothing.
    """
    message = db.session.scalar(
        select(OutboxMessage).filter_by(kind=kind, event_id=event_id, recipient=recipient)
    )
    if message is not None and not replace:
        return message
    if message is None:
        message = OutboxMessage(kind=kind, event_id=event_id, recipient=recipient)
        db.session.add(message)
    message.to_address = _one_line(to_address)
    message.subject = _one_line(subject)[:300]
    message.text_body = text_body
    message.html_body = html_body
    message.attachments = attachments or []
    message.headers = {k: _one_line(v) for k, v in (headers or {}).items()}
    message.message_id = make_msgid(idstring=uuid.uuid4().hex[:12], domain=_mail_domain())
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.last_error = ""
    message.next_attempt_at = now_utc()
    message.sent_at = None
    if commit:
        db.session.commit()
    return message


def attachment(filename: str, content_type: str, data: bytes, cid: str | None = None) -> dict:
    """An attachment as the outbox keeps it; with ``cid`` it is an inline image."""
    item = {"filename": filename, "content_type": content_type,
            "data": base64.b64encode(data).decode()}
    if cid:
        item["cid"] = cid
    return item


def _mail_domain() -> str:
    host = urlsplit(current_app.config["CHECKIN_BASE_URL"]).hostname or "localhost"
    return host


def to_mime(message: OutboxMessage, sender: str) -> EmailMessage:
    """The message as sent: plain text, HTML alternative, inline images, attachments."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(now_utc())
    mime["Message-ID"] = message.message_id
    for name, value in (message.headers or {}).items():
        mime[name] = value
    mime.set_content(message.text_body)
    inline = [a for a in message.attachments if a.get("cid")]
    files = [a for a in message.attachments if not a.get("cid")]
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html")
        html_part = mime.get_payload()[-1]
        for item in inline:
            maintype, subtype = item["content_type"].split("/", 1)
            html_part.add_related(base64.b64decode(item["data"]), maintype=maintype,
                                  subtype=subtype, cid=f"<{item['cid']}>",
                                  filename=item["filename"], disposition="inline")
    for item in files:
        maintype, subtype = item["content_type"].split("/", 1)
        mime.add_attachment(base64.b64decode(item["data"]), maintype=maintype, subtype=subtype,
                            filename=item["filename"])
    return mime


class PermanentFailure(Exception):
    """The server refused this message for good (a 5xx answer)."""


class TransientFailure(Exception):
    """Try again later: a 4xx answer, a dropped connection, a timeout."""


class FileTransport:
    """Writes each message as an .eml file in a folder (the default for development)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, mime: EmailMessage) -> None:
        name = f"{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(mime))
        tmp.rename(self.folder / name)  # appears whole or not at all

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection, opened on first use and reused for every message."""

    def __init__(self, url: str, timeout: float = 30):
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.scheme == "smtp+starttls":
                connection.starttls()
        if self.username:
            connection.login(self.username, self.password or "")
        return connection

    def send(self, mime: EmailMessage) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
            refused = self.connection.send_message(mime)
        except smtplib.SMTPRecipientsRefused as error:
            code, words = next(iter(error.recipients.values()))
            self._raise_for(code, words)
        except smtplib.SMTPResponseException as error:
            self.close()
            self._raise_for(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.connection = None
            raise TransientFailure(f"connection lost: {error}") from error
        if refused:
            code, words = next(iter(refused.values()))
            self._raise_for(code, words)

    @staticmethod
    def _raise_for(code: int, words) -> None:
        text = words.decode(errors="replace") if isinstance(words, bytes) else str(words)
        failure = PermanentFailure if 500 <= code < 600 else TransientFailure
        raise failure(f"{code} {text}")

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None


def transport_for(url: str):
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileTransport(Path(unquote(parts.path)))
    if parts.scheme in ("smtp", "smtps", "smtp+starttls"):
        return SmtpTransport(url)
    raise ValueError(f"CHECKIN_MAIL_URL has an unknown scheme: {parts.scheme!r}")


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    retry: int = 0


MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (0, 5, 30, 120, 600, 1800)


def deliver_pending(event_id: int | None = None, kinds: tuple[str, ...] | None = None,
                    limit: int | None = None, on_progress=None) -> Tally:
    """Send pending outbox messages over one reused connection.

    Each message is marked sent in its own commit right after the server
    accepts it, so a sender killed at any moment resends at most the one
    message that was in flight.
    """
    tally = Tally()
    transport = transport_for(current_app.config["CHECKIN_MAIL_URL"])
    sender = current_app.config["CHECKIN_MAIL_FROM"]
    try:
        while limit is None or tally.sent + tally.failed + tally.retry < limit:
            message = _claim_next(event_id, kinds)
            if message is None:
                break
            _deliver_one(transport, sender, message, tally)
            if on_progress:
                on_progress(message)
    finally:
        transport.close()
    return tally


def _claim_next(event_id, kinds) -> OutboxMessage | None:
    query = select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= now_utc(),
    )
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    query = query.order_by(OutboxMessage.id).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    message = db.session.scalar(query)
    if message is None:
        db.session.rollback()
        return None
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING.value, attempts=OutboxMessage.attempts + 1,
                updated_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:  # another sender took it between our read and our update
        return _claim_next(event_id, kinds)
    db.session.refresh(message)
    return message


def _deliver_one(transport, sender: str, message: OutboxMessage, tally: Tally) -> None:
    try:
        transport.send(to_mime(message, sender))
    except PermanentFailure as error:
        message.status = OutboxStatus.FAILED.value
        message.last_error = str(error)[:2000]
        tally.failed += 1
    except TransientFailure as error:
        message.last_error = str(error)[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED.value
            tally.failed += 1
        else:
            message.status = OutboxStatus.PENDING.value
            delay = BACKOFF_SECONDS[min(message.attempts, len(BACKOFF_SECONDS) - 1)]
            message.next_attempt_at = now_utc() + timedelta(seconds=delay)
            tally.retry += 1
            time.sleep(min(delay, 0.2))
    else:
        message.status = OutboxStatus.SENT.value
        message.sent_at = now_utc()
        message.last_error = ""
        tally.sent += 1
    db.session.commit()


def release_stuck(older_than_seconds: int = 600) -> int:
    """Messages left 'sending' by a killed sender go back to pending (the in-flight window)."""
    cutoff = now_utc() - timedelta(seconds=older_than_seconds)
    count = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.updated_at < cutoff)
        .values(status=OutboxStatus.PENDING.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count
