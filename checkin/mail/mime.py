"""An outbox row as the email it becomes: plain text, HTML alternative, inline images, files."""

import base64
from email.message import EmailMessage
from email.utils import format_datetime

from checkin.columns import now_utc
from checkin.mail.models import OutboxMessage


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


def with_inline_images(html: str, attachments: list[dict]) -> str:
    """``html`` with each ``cid:`` image written out as a ``data:`` URL, for a preview in a
    browser (which has no message parts to look the Content-ID up in)."""
    for item in attachments:
        if item.get("cid"):
            html = html.replace(f"cid:{item['cid']}",
                                f"data:{item['content_type']};base64,{item['data']}")
    return html
