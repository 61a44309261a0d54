"""An outbox row as the email it becomes: plain text, HTML alternative, inline images, files.

The message's own headers go through the email package (its policy encodes and folds them
and refuses what would inject another header); the parts are written out directly, each
body encoded by C calls (``binascii``): building an ``EmailMessage`` and flattening it
took ~20 ms for a follow-up of 25 contacts, most of it parsing headers it had just been
given and scanning long bodies for a boundary. A boundary holding "=_" needs no scan: no
quoted-printable or base64 line can hold it.

Emails of one event repeat most of their lines (a contact's card, the layout, "Met at
19:05"), so each text line is encoded once and kept (see ``_quoted``), and a header the
policy folds (a subject in Spanish) is folded once per value.
"""

import binascii
import secrets
from email import policy
from email.utils import encode_rfc2231, format_datetime
from functools import lru_cache

from checkin.columns import now_utc
from checkin.mail.models import OutboxMessage

CRLF = b"\r\n"


def to_mime(message: OutboxMessage, sender: str) -> bytes:
    """The message as sent: plain text, HTML alternative, inline images, attachments.

    The structure is multipart/mixed (when there are files) around multipart/alternative
    (when there is HTML) of the text and the HTML, the HTML in multipart/related with its
    inline images."""
    content_type, body = _body(message)
    international = not (sender.isascii() and message.to_address.isascii())
    rules = policy.SMTPUTF8 if international else policy.SMTP
    headers = [("From", sender), ("To", message.to_address), ("Subject", message.subject),
               ("Date", format_datetime(now_utc())), ("Message-ID", message.message_id),
               *(message.headers or {}).items(), ("MIME-Version", "1.0"), *content_type]
    names = [name.lower() for name, _value in headers]
    if len(set(names)) != len(names):
        raise ValueError("a header is given twice")
    return b"".join(_header(rules, name, value) for name, value in headers) + CRLF + body


def _header(rules, name: str, value: str) -> bytes:
    """One header line. Short plain ASCII is written as it is (what the policy would write);
    anything else goes through the policy, which encodes, folds and keeps a line break in a
    value from starting another header."""
    if value.isascii() and value.isprintable() and len(name) + len(value) < 76:
        return f"{name}: {value}\r\n".encode()
    return _folded_header(rules, name, value)


@lru_cache(maxsize=256)
def _folded_header(rules, name: str, value: str) -> bytes:
    """The policy's line for a header (a pure function of its arguments): a subject shared
    by every follow-up of an event in one language is folded once."""
    return rules.fold_binary(*rules.header_store_parse(name, value))


def _body(message: OutboxMessage) -> tuple[list[tuple[str, str]], bytes]:
    """The content headers and the body of the message (its parts nested as above)."""
    attachments = message.attachments or []
    part = _text("plain", message.text_body)
    if message.html_body:
        html = _text("html", message.html_body)
        inline = [_file(a, "inline", a["cid"]) for a in attachments if a.get("cid")]
        if inline:
            html = _multipart("related", [html, *inline])
        part = _multipart("alternative", [part, html])
    files = [_file(a, "attachment") for a in attachments if not a.get("cid")]
    if files:
        part = _multipart("mixed", [part, *files])
    return part


def _text(subtype: str, text: str) -> tuple[list[tuple[str, str]], bytes]:
    """A text part, its lines ended with CRLF (as the email package ends them), in UTF-8
    quoted-printable: what a mail client shows, and short lines for every server."""
    return ([("Content-Type", f'text/{subtype}; charset="utf-8"'),
             ("Content-Transfer-Encoding", "quoted-printable")],
            b"".join(map(_quoted, text.splitlines() or [""])))


_QUOTED: dict[str, bytes] = {}
_QUOTED_LINES = 20_000  # about 3 MB of an event's lines; emptied when full
_QUOTED_LONGEST = 1_000  # longer lines (a long pitch) are encoded each time, not kept


def _quoted(line: str) -> bytes:
    """One line and its CRLF in quoted-printable, encoded once and kept.

    Quoted-printable encodes each CRLF-ended line on its own (its soft breaks, a space at
    its end), and ``splitlines`` leaves no CR or LF inside a line, so the body is the lines'
    encodings joined: byte for byte what one ``b2a_qp`` of the whole body writes, at a dict
    lookup for each line an earlier email already had.
    """
    encoded = _QUOTED.get(line)
    if encoded is None:
        encoded = binascii.b2a_qp((line + "\r\n").encode(), istext=True)
        if len(line) <= _QUOTED_LONGEST:
            if len(_QUOTED) >= _QUOTED_LINES:
                _QUOTED.clear()
            _QUOTED[line] = encoded
    return encoded


def _file(item: dict, disposition: str, cid: str | None = None
          ) -> tuple[list[tuple[str, str]], bytes]:
    """An attachment (or an inline image) from the outbox's base64, in 76-character lines
    (as ``base64.encodebytes`` cuts them, but encoded in one call rather than one a line)."""
    encoded = binascii.b2a_base64(binascii.a2b_base64(item["data"]), newline=False)
    data = b"".join(encoded[i:i + 76] + CRLF for i in range(0, len(encoded), 76))
    maintype, subtype = item["content_type"].split("/", 1)
    headers = [("Content-Type", f"{maintype}/{subtype}"),
               ("Content-Transfer-Encoding", "base64"),
               ("Content-Disposition", f"{disposition}; {_filename(item['filename'])}")]
    if cid:
        headers.append(("Content-ID", f"<{cid}>"))
    return headers, data


def _filename(name: str) -> str:
    if name.isascii() and '"' not in name and "\\" not in name and name.isprintable():
        return f'filename="{name}"'
    return f"filename*={encode_rfc2231(name, 'utf-8')}"


def _multipart(subtype: str, parts: list[tuple[list[tuple[str, str]], bytes]]
               ) -> tuple[list[tuple[str, str]], bytes]:
    boundary = f"=_{secrets.token_hex(12)}"
    delimiter = b"--" + boundary.encode()
    body = delimiter + CRLF + (CRLF + delimiter + CRLF).join(
        _written(headers, payload) for headers, payload in parts) + CRLF + delimiter + b"--" + CRLF
    return [("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')], body


def _written(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    return "".join(f"{name}: {_folded(name, value)}\r\n"
                   for name, value in headers).encode() + CRLF + payload


def _folded(name: str, value: str) -> str:
    """A part's header value with each parameter on a line of its own when it runs long."""
    return value if len(name) + len(value) < 76 else value.replace("; ", ";\r\n ")


def with_inline_images(html: str, attachments: list[dict]) -> str:
    """``html`` with each ``cid:`` image written out as a ``data:`` URL, for a preview in a
    browser (which has no message parts to look the Content-ID up in)."""
    for item in attachments:
        if item.get("cid"):
            html = html.replace(f"cid:{item['cid']}",
                                f"data:{item['content_type']};base64,{item['data']}")
    return html
