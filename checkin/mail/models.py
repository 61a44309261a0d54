"""The outbox: every email, rendered and stored before it is sent."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import UtcDateTime, now_utc
from checkin.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One email to one recipient.

    ``recipient`` names who it is for in the domain (``attendee:42``,
    ``organizer:7``), so two attendees who share an address each get theirs; the
    database refuses a second message of one kind for one recipient and event.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("kind", "event_id", "recipient"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(64))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    # [{"filename", "content_type", "data" (base64), "cid" (inline images only)}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # Extra headers (List-Unsubscribe, …) as a name → value mapping.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc, onupdate=now_utc)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Where the private parts (sign-in links, notes) lie in the bodies and headers, as
    # {"text_body": [[start, end], ...], "html_body": [...], "headers": {name: [...]}}; once
    # delivered they are cut out (see mail/private.py), this empties and redacted_at is set.
    private_parts: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    redacted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
