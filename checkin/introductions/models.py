"""An introduction: one person recommending two of their contacts to each other."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkin.columns import CleanText, UtcDateTime, now_utc, one_of
from checkin.extensions import db
from checkin.people.models import Person

MAX_REASON_LENGTH = 280


class IntroductionState(enum.StrEnum):
    """Where an introduction stands. ``first`` is asked before ``second`` is; whether one
    waiting has expired is read from ``expires_at`` (nothing has to run to expire it)."""

    ASKING_FIRST = "asking_first"
    ASKING_SECOND = "asking_second"
    INTRODUCED = "introduced"
    NOT_NOW = "not_now"  # one of them said "not now"; the introducer never learns which


class Introduction(db.Model):
    """``introducer`` introduces ``first`` to ``second``, with why in a sentence.

    People, not attendees: the two may never have been at one event, and once both accept
    this row is the link between them ("introduced by …") that My network reads, so it
    outlives every event. The introducer may leave the community (the link stays, without
    their name); either of the two leaving takes it with them.
    """

    __tablename__ = "introductions"
    __table_args__ = (
        CheckConstraint("first_id <> second_id", name="two_people"),
        CheckConstraint("introducer_id <> first_id AND introducer_id <> second_id",
                        name="not_oneself"),
        CheckConstraint(one_of("state", IntroductionState), name="state"),
        # One introducer introduces one pair once: a "not now" is not asked again.
        UniqueConstraint("introducer_id", "first_id", "second_id"),
        Index("ix_introductions_first_id_state", "first_id", "state"),
        Index("ix_introductions_second_id_state", "second_id", "state"),
        Index("ix_introductions_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    # The event it was made from (People I met there, or My network while it was the
    # introducer's next or latest): whose summary counts it.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    introducer_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(CleanText, default="")
    state: Mapped[str] = mapped_column(String(16), default=IntroductionState.ASKING_FIRST.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    # Until when the one asked now may answer; past it the introduction is "not now".
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    second_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    introduced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    introducer: Mapped[Person | None] = relationship(foreign_keys=[introducer_id])
    first: Mapped[Person] = relationship(foreign_keys=[first_id])
    second: Mapped[Person] = relationship(foreign_keys=[second_id])

    def is_visible_to(self, person_id: int) -> bool:
        """The first person sees it from the start; the second only once the first said yes."""
        return self.first_id == person_id or (self.second_id == person_id
                                              and self.second_asked_at is not None)

    def awaits(self, person_id: int, now: datetime | None = None) -> bool:
        """Whether it is waiting for ``person_id``'s answer right now."""
        if self.expires_at <= (now or now_utc()):
            return False
        return ((self.first_id == person_id and self.state == IntroductionState.ASKING_FIRST)
                or (self.second_id == person_id
                    and self.state == IntroductionState.ASKING_SECOND))

    def other(self, person_id: int) -> Person:
        return self.second if person_id == self.first_id else self.first

    def __repr__(self) -> str:
        return f"<Introduction {self.id} {self.state}>"
