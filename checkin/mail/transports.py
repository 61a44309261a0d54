"""Where a sender hands its emails: a folder of .eml files, or one reused SMTP connection."""

import contextlib
import smtplib
import ssl
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from checkin.columns import now_utc


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

    def send(self, mime: bytes, sender: str, recipient: str) -> None:
        name = f"{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(mime)
        tmp.rename(self.folder / name)  # appears whole or not at all

    def close(self) -> None:
        pass


def _stuffed(mime: bytes) -> bytes:
    """``mime`` as DATA carries it: each line that starts with a dot gets another (RFC 5321
    4.5.2), ended by the lone dot. The same bytes as smtplib's own ``data()`` (its regex
    doubles a dot at the start or after any LF), by one ``bytes.replace``: a regex over a
    100 kB follow-up cost half a millisecond."""
    stuffed = (b"." if mime.startswith(b".") else b"") + mime.replace(b"\n.", b"\n..")
    if stuffed[-2:] != b"\r\n":
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


class _Data:
    """smtplib's DATA command for bytes, with the dot-stuffing of ``_stuffed``."""

    def data(self, msg):
        if not isinstance(msg, bytes):
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        self.send(_stuffed(msg))
        return self.getreply()


class _SMTP(_Data, smtplib.SMTP):
    pass


class _SMTP_SSL(_Data, smtplib.SMTP_SSL):  # noqa: N801 (smtplib's name)
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
                connection = _SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                       context=context)
            else:
                connection = _SMTP(self.host, self.port, timeout=self.timeout)
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

    def send(self, mime: bytes, sender: str, recipient: str) -> None:
        """Send ``mime`` (the message as bytes, see ``checkin.mail.mime``) to ``recipient``."""
        if self.connection is None:
            self.connection = self._connect()
        # An address beyond ASCII needs a server that takes UTF-8 (as smtplib's send_message).
        options = () if sender.isascii() and recipient.isascii() else ("SMTPUTF8",
                                                                       "BODY=8BITMIME")
        try:
            # Envelope given explicitly: only ``recipient`` receives it, whatever the headers say.
            refused = self.connection.sendmail(sender, [recipient], mime, mail_options=options)
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
    """The transport ``CHECKIN_MAIL_URL`` names."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileTransport(Path(unquote(parts.path)))
    if parts.scheme in ("smtp", "smtps", "smtp+starttls"):
        return SmtpTransport(url, timeout=timeout)
    raise ValueError(f"CHECKIN_MAIL_URL has an unknown scheme: {parts.scheme!r}")
