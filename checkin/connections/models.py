"""Two attendees who exchanged cards, and what each wrote about the other."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkin.columns import CleanText, UtcDateTime, now_utc, one_of
from checkin.extensions import db
from checkin.people.models import Attendee


class Via(enum.StrEnum):
    """How a connection came about: one scanned the other's card, one asked to meet and the
    other accepted, or a contact of both introduced them and both accepted."""

    SCAN = "scan"
    REQUEST = "request"
    INTRODUCTION = "introduction"


class Connection(db.Model):
    """An unordered pair: the lower attendee id is always ``low``, so a pair is stored once."""

    __tablename__ = "connections"
    __table_args__ = (
        CheckConstraint("low_id < high_id", name="ordered_pair"),
        CheckConstraint(one_of("via", Via), name="via"),
        UniqueConstraint("low_id", "high_id"),
        Index("ix_connections_high_id", "high_id"),
        Index("ix_connections_event_id_created_at", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    low_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    high_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    # Who scanned whom; None when nobody did (``via`` a request or an introduction).
    scanned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"))
    via: Mapped[str] = mapped_column(String(12), default=Via.SCAN.value,
                                     server_default=Via.SCAN.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)

    low: Mapped[Attendee] = relationship(foreign_keys=[low_id])
    high: Mapped[Attendee] = relationship(foreign_keys=[high_id])

    def other(self, attendee_id: int) -> int:
        return self.high_id if attendee_id == self.low_id else self.low_id


class Note(db.Model):
    """One author's private text about one connection."""

    __tablename__ = "notes"
    __table_args__ = (UniqueConstraint("connection_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(CleanText, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc, onupdate=now_utc)

    connection: Mapped[Connection] = relationship()


class ConnectionRemoval(db.Model):
    """``remover`` took ``removed`` out of their people met (someone they did not recognise):
    ``removed`` cannot connect with them again at this event, nor be suggested to them."""

    __tablename__ = "connection_removals"
    __table_args__ = (
        UniqueConstraint("remover_id", "removed_id"),
        Index("ix_connection_removals_removed_id", "removed_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    remover_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    removed_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
