"""An event: one gathering, with its time, place and state."""

import enum
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkin.columns import CleanLine, UtcDateTime, now_utc, one_of
from checkin.communities.models import Community
from checkin.extensions import db
from checkin.i18n import LANGUAGES

# Field limits, shared by the model, the console's form and the API.
EVENT_LIMITS = {"name": 200, "slug": 64, "timezone": 64, "venue": 300}


class EventState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(one_of("state", EventState), name="state"),
        CheckConstraint(one_of("default_language", LANGUAGES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The community that runs it: its attendees are the community's people.
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(EVENT_LIMITS["slug"]), unique=True)
    name: Mapped[str] = mapped_column(CleanLine(EVENT_LIMITS["name"]))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    timezone: Mapped[str] = mapped_column(String(EVENT_LIMITS["timezone"]))
    venue: Mapped[str] = mapped_column(CleanLine(EVENT_LIMITS["venue"]), default="")
    default_language: Mapped[str] = mapped_column(String(2), default="en")
    walk_ins_allowed: Mapped[bool] = mapped_column(default=False)
    # How many hours before the start invited guests not yet checked in get a reminder
    # (None: no reminder). See ``reminder_at``.
    reminder_hours_before: Mapped[int | None] = mapped_column(default=24)
    state: Mapped[str] = mapped_column(String(10), default=EventState.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    community: Mapped[Community] = relationship()

    @property
    def reminder_at(self) -> datetime | None:
        """When the reminder goes out, or None when the organizer turned it off."""
        if self.reminder_hours_before is None:
            return None
        return self.starts_at - timedelta(hours=self.reminder_hours_before)

    @property
    def is_closed(self) -> bool:
        return self.state == EventState.CLOSED

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
