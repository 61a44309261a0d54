"""A request to meet: who asked whom at which event, with one optional line, and its answer."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkin.columns import CleanLine, UtcDateTime, now_utc, one_of
from checkin.extensions import db
from checkin.people.models import Attendee

MESSAGE_LENGTH = 140  # one line: "I'd like to talk about packaging"


class RequestState(enum.StrEnum):
    """What the target did. The asker never learns ``declined``: to them it reads as
    pending until it expires (see ``services.as_seen_by_asker``)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class MeetingRequest(db.Model):
    """``asker`` asked to meet ``target`` at one event; one per pair and direction, ever, so
    nobody is asked twice by the same person for the same event."""

    __tablename__ = "meeting_requests"
    __table_args__ = (
        UniqueConstraint("asker_id", "target_id"),
        CheckConstraint("asker_id <> target_id", name="not_self"),
        CheckConstraint(one_of("state", RequestState), name="state"),
        Index("ix_meeting_requests_target_id_state", "target_id", "state"),
        Index("ix_meeting_requests_asker_id_created_at", "asker_id", "created_at"),
        Index("ix_meeting_requests_event_id_state", "event_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(CleanLine(MESSAGE_LENGTH), default="")
    state: Mapped[str] = mapped_column(String(10), default=RequestState.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    # Past this, a request nobody answered (or that was declined) is over.
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    asker: Mapped[Attendee] = relationship(foreign_keys=[asker_id])
    target: Mapped[Attendee] = relationship(foreign_keys=[target_id])
