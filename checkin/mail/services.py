"""Putting emails in the outbox, turning them into MIME, and delivering them."""

import base64
import contextlib
import re
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from checkin.columns import now_utc
from checkin.extensions import db
from checkin.mail.models import OutboxMessage, OutboxStatus


def one_line(text: str) -> str:
    """Header values never carry a line break, whatever a card says."""
    return " ".join((text or "").split())


def new_message_id() -> str:
    """A Message-ID unique to one outbox row."""
    return make_msgid(idstring=uuid.uuid4().hex[:12], domain=_mail_domain())


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
    message.to_address = one_line(to_address)
    message.subject = one_line(subject)[:300]
    message.text_body = text_body
    message.html_body = html_body
    message.attachments = attachments or []
    message.headers = {k: one_line(v) for k, v in (headers or {}).items()}
    message.message_id = new_message_id()
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


class ConnectFailure(TransientFailure):
    """The mail server could not be reached at all (nothing was sent)."""


class DeliveryStopped(Exception):
    """Sending cannot go on (bad login, server unreachable): the run stops, nothing is lost."""


class FileTransport:
    """Writes each message as an .eml file in a folder (the default for development)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, mime: EmailMessage, sender: str, recipient: str) -> None:
        name = f"{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(mime))
        tmp.rename(self.folder / name)  # appears whole or not at all

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection, opened on first use and reused for every message.

    ``smtp://`` plain, ``smtp+starttls://`` upgraded with STARTTLS, ``smtps://``
    TLS from the start; a user and password in the URL log in.
    """

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
        context = ssl.create_default_context()
        try:
            if self.scheme == "smtps":
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                              context=context)
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.scheme == "smtp+starttls":
                    connection.starttls(context=context)
            if self.username:
                connection.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryStopped(f"the mail server refused the login: {error.smtp_code} "
                                  f"{_words(error.smtp_error)}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise ConnectFailure(f"cannot reach the mail server: {error}") from error
        return connection

    def send(self, mime: EmailMessage, sender: str, recipient: str) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            # Envelope given explicitly: only ``recipient`` receives it, whatever the headers say.
            refused = self.connection.send_message(mime, from_addr=sender,
                                                   to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, words = next(iter(error.recipients.values()))
            self._raise_for(code, words)
        except smtplib.SMTPResponseException as error:
            self.close()
            self._raise_for(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._drop()
            raise TransientFailure(f"connection lost: {error or type(error).__name__}") from error
        if refused:
            code, words = next(iter(refused.values()))
            self._raise_for(code, words)

    @staticmethod
    def _raise_for(code: int, words) -> None:
        failure = PermanentFailure if 500 <= code < 600 else TransientFailure
        raise failure(f"{code} {_words(words)}")

    def _drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self._drop()


def _words(words) -> str:
    return words.decode(errors="replace") if isinstance(words, bytes) else str(words)


def transport_for(url: str, timeout: float = 30):
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileTransport(Path(unquote(parts.path)))
    if parts.scheme in ("smtp", "smtps", "smtp+starttls"):
        return SmtpTransport(url, timeout=timeout)
    raise ValueError(f"CHECKIN_MAIL_URL has an unknown scheme: {parts.scheme!r}")


@dataclass
class Tally:
    """What one sender run did: ``retried`` counts transient failures met on the way,
    ``waiting`` the messages left pending for a later run."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    waiting: int = 0


# Settings (app.config) with their defaults.
DEFAULTS = {
    "CHECKIN_MAIL_MAX_ATTEMPTS": 6,
    "CHECKIN_MAIL_RETRY_BASE": 2.0,  # seconds; doubled on each attempt
    "CHECKIN_MAIL_RETRY_CAP": 300.0,  # the longest wait between two attempts
    "CHECKIN_MAIL_MAX_WAIT": 60.0,  # a run waits for a retry due this soon, else leaves it
    "CHECKIN_MAIL_TIMEOUT": 30.0,
    "CHECKIN_MAIL_STUCK_AFTER": 300.0,  # 'sending' this long means its sender died
}
CONNECT_FAILURES_BEFORE_STOP = 3
FOLLOW_POLL_SECONDS = 0.2
RECORD_ATTEMPTS = 8


def mail_setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def backoff_seconds(attempts: int) -> float:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base… up to the cap."""
    base, cap = mail_setting("CHECKIN_MAIL_RETRY_BASE"), mail_setting("CHECKIN_MAIL_RETRY_CAP")
    return min(cap, base * 2 ** max(0, attempts - 1))


def _scope(query, event_id, kinds):
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    return query


def deliver_pending(event_id: int | None = None, kinds: tuple[str, ...] | None = None,
                    limit: int | None = None, on_progress=None, wait: bool = True,
                    seconds: float | None = None, follow=None, stop=None) -> Tally:
    """Send pending outbox messages over one reused connection.

    Each message is claimed (``sending``) in one commit and marked ``sent`` in
    its own commit right after the server accepts it, so a sender killed at any
    moment resends at most the one message in flight. Transient failures go
    back to pending with a growing delay; with ``wait`` the run waits for a
    retry due within CHECKIN_MAIL_MAX_WAIT seconds. ``on_progress(message)`` is
    called once per message that reached its end (sent or failed). With
    ``seconds`` the run stops taking new messages after that long (a web request).
    While ``follow()`` is true an empty outbox is watched for new messages (a
    sender running beside the renderer); ``stop()`` true ends the run between
    two messages (a signal).
    """
    tally = Tally()
    deadline = None if seconds is None else time.monotonic() + seconds
    timeout = mail_setting("CHECKIN_MAIL_TIMEOUT")
    transport = transport_for(current_app.config["CHECKIN_MAIL_URL"], timeout=timeout)
    sender = current_app.config["CHECKIN_MAIL_FROM"]
    connect_failures = 0
    try:
        while limit is None or tally.sent + tally.failed < limit:
            if deadline is not None and time.monotonic() > deadline or stop and stop():
                break
            try:
                message = claim_next(event_id, kinds)
            except OperationalError:  # the database is busy (SQLite's one writer): again soon
                db.session.rollback()
                time.sleep(FOLLOW_POLL_SECONDS)
                continue
            if message is None and follow and follow():
                time.sleep(FOLLOW_POLL_SECONDS)
                continue
            if message is None:
                delay = _seconds_to_next_retry(event_id, kinds)
                if not wait or delay is None or delay > mail_setting("CHECKIN_MAIL_MAX_WAIT"):
                    break
                time.sleep(max(0.0, delay))
                continue
            try:
                outcome = _deliver_one(transport, sender, message, tally)
            except ConnectFailure:
                connect_failures += 1
                if connect_failures >= CONNECT_FAILURES_BEFORE_STOP:
                    raise DeliveryStopped(message.last_error) from None
                continue
            except DeliveryStopped:
                _unclaim(message)
                raise
            connect_failures = 0
            if outcome != OutboxStatus.PENDING and on_progress:
                on_progress(message)
    finally:
        transport.close()
        tally.waiting = db.session.scalar(
            _scope(select(func.count()).select_from(OutboxMessage), event_id, kinds)
            .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
        )
        db.session.rollback()
    return tally


def claim_next(event_id=None, kinds=None) -> OutboxMessage | None:
    """The next due pending message, marked ``sending`` and committed, or None.

    On PostgreSQL the candidate row is read ``FOR UPDATE SKIP LOCKED`` so
    several senders walk the outbox side by side; everywhere, the update only
    takes a row that is still pending, so no two senders claim one message.
    """
    postgres = db.engine.dialect.name == "postgresql"
    for _ in range(100):
        query = _scope(select(OutboxMessage.id), event_id, kinds).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now_utc(),
        ).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
        if postgres:
            query = query.with_for_update(skip_locked=True)
        message_id = db.session.scalar(query)
        if message_id is None:
            db.session.rollback()
            return None
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING.value, attempts=OutboxMessage.attempts + 1,
                    updated_at=now_utc())
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed:
            return db.session.get(OutboxMessage, message_id, populate_existing=True)
    return None  # pragma: no cover (a hundred lost races in a row)


def _seconds_to_next_retry(event_id, kinds) -> float | None:
    due = db.session.scalar(
        _scope(select(func.min(OutboxMessage.next_attempt_at)), event_id, kinds)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    db.session.rollback()
    if due is None:
        return None
    return (due - now_utc()).total_seconds()


def _deliver_one(transport, sender: str, message: OutboxMessage, tally: Tally) -> str:
    try:
        mime = to_mime(message, sender)
    except (ValueError, TypeError, KeyError) as error:  # a row that cannot become an email
        mime, error_text = None, f"cannot build the message: {error}"
    if mime is not None and not _ONE_ADDRESS.match(message.to_address):
        mime, error_text = None, f"not a single valid address: {message.to_address!r}"
    try:
        if mime is None:
            raise PermanentFailure(error_text)
        transport.send(mime, sender=_address_of(sender), recipient=message.to_address)
    except PermanentFailure as error:
        outcome = _failed(str(error))
        tally.failed += 1
    except TransientFailure as error:
        tally.retried += 1
        if message.attempts >= mail_setting("CHECKIN_MAIL_MAX_ATTEMPTS"):
            outcome = _failed(f"gave up after {message.attempts} attempts: {error}")
            tally.failed += 1
        else:
            _record(message, status=OutboxStatus.PENDING.value, last_error=str(error)[:2000],
                    next_attempt_at=now_utc() + timedelta(
                        seconds=backoff_seconds(message.attempts)))
            if isinstance(error, ConnectFailure):
                raise
            return OutboxStatus.PENDING.value
    else:
        outcome = {"status": OutboxStatus.SENT.value, "sent_at": now_utc(), "last_error": ""}
        tally.sent += 1
    _record(message, **outcome)
    return outcome["status"]


def _failed(reason: str) -> dict:
    return {"status": OutboxStatus.FAILED.value, "last_error": reason[:2000]}


def _record(message: OutboxMessage, **values) -> None:
    """Commit a message's outcome, insisting: once the server has accepted a message, losing
    the word "sent" to a busy database (SQLite's lock) would send it twice."""
    message_id = message.id
    for attempt in range(RECORD_ATTEMPTS):
        try:
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                               .values(updated_at=now_utc(), **values)
                               .execution_options(synchronize_session=False))
            db.session.commit()
            break
        except OperationalError:
            db.session.rollback()
            if attempt == RECORD_ATTEMPTS - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    for name, value in values.items():
        set_committed_value(message, name, value)


def _unclaim(message: OutboxMessage) -> None:
    message.status = OutboxStatus.PENDING.value
    message.attempts = max(0, message.attempts - 1)
    db.session.commit()


_ONE_ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+$")


def _address_of(sender: str) -> str:
    return parseaddr(sender)[1] or sender


def resend(message: OutboxMessage) -> OutboxMessage:
    """Put a message back in the queue (after a failure, or to send it once more)."""
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.last_error = ""
    message.next_attempt_at = now_utc()
    message.sent_at = None
    db.session.commit()
    return message


def release_stuck(older_than_seconds: float | None = None) -> int:
    """Messages left ``sending`` by a killed sender go back to pending.

    This is the in-flight window: such a message may or may not have reached
    the server before its sender died, so it is sent again (at most once more).
    """
    if older_than_seconds is None:
        older_than_seconds = mail_setting("CHECKIN_MAIL_STUCK_AFTER")
    cutoff = now_utc() - timedelta(seconds=older_than_seconds)
    count = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.updated_at <= cutoff)
        .values(status=OutboxStatus.PENDING.value, next_attempt_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count
