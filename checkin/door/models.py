"""The check-in log: every scan at the door, as it happened."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import UtcDateTime, now_utc
from checkin.extensions import db


class ScanKind(enum.StrEnum):
    ENTRY = "entry"
    EXIT = "exit"


class CheckIn(db.Model):
    """One scan. ``result`` is the answer given (ok, already_checked_in, unknown_code, …)."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("kind IN ('entry', 'exit')", name="kind"),
        Index("ix_checkins_event_id_scanned_at", "event_id", "scanned_at"),
        Index("ix_checkins_attendee_id_scanned_at", "attendee_id", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Null when the scanned code matched no attendee of this event.
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(5), default=ScanKind.ENTRY.value)
    code: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[str] = mapped_column(String(32))
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    gate: Mapped[str] = mapped_column(String(60), default="")
    device: Mapped[str] = mapped_column(String(100), default="")
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    # Chosen by the scanning device; a repeated nonce is the same scan sent twice.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
