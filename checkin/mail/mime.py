"""An outbox row as the email it becomes: plain text, HTML alternative, inline images, files.

The message's own headers go through the email package (its policy encodes and folds them
and refuses what would inject another header); the parts are written out directly, each
body encoded by one C call (``binascii``): building an ``EmailMessage`` and flattening it
took ~20 ms for a follow-up of 25 contacts, most of it parsing headers it had just been
given and scanning long bodies for a boundary. A boundary holding "=_" needs no scan: no
quoted-printable or base64 line can hold it.
"""

import base64
import binascii
import secrets
from email import policy
from email.utils import encode_rfc2231, format_datetime

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
    data = ("\r\n".join(text.splitlines()) + "\r\n").encode()
    return ([("Content-Type", f'text/{subtype}; charset="utf-8"'),
             ("Content-Transfer-Encoding", "quoted-printable")],
            binascii.b2a_qp(data, istext=True))


def _file(item: dict, disposition: str, cid: str | None = None
          ) -> tuple[list[tuple[str, str]], bytes]:
    """An attachment (or an inline image) from the outbox's base64, in 76-character lines."""
    data = base64.encodebytes(base64.b64decode(item["data"])).replace(b"\n", CRLF)
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
