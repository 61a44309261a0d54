"""The check-in log: every scan at the door, as it happened."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import CleanLine, UtcDateTime, now_utc
from checkin.extensions import db


class ScanKind(enum.StrEnum):
    ENTRY = "entry"
    EXIT = "exit"


class ScanResult(enum.StrEnum):
    """The answer a scan gets, as logged and as the API and the door page say it."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"
    UNKNOWN_CODE = "unknown_code"
    WRONG_EVENT = "wrong_event"
    # A repeat a device let in on its own while offline: logged, not refused.
    DUPLICATE = "duplicate"

    @classmethod
    def refusals(cls) -> list[str]:
        """Every answer but ok: the API's ``reason`` values."""
        return [result.value for result in cls if result is not cls.OK]

    @property
    def colour(self) -> str:
        """What the door shows: green let in, amber a repeat or not inside, red not a guest."""
        if self is ScanResult.OK:
            return "ok"
        if self in (ScanResult.UNKNOWN_CODE, ScanResult.WRONG_EVENT):
            return "bad"
        return "warn"


class CheckIn(db.Model):
    """One scan. ``result`` is the answer given (ok, already_checked_in, unknown_code, …)."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("kind IN ('entry', 'exit')", name="kind"),
        Index("ix_checkins_event_id_scanned_at", "event_id", "scanned_at"),
        Index("ix_checkins_attendee_id_scanned_at", "attendee_id", "scanned_at"),
        # A guest's latest entry that let them in (what a repeat answers with) and when they
        # last left, sought directly: by time alone, every refused repeat came first.
        Index("ix_checkins_attendee_id_kind_result_scanned_at", "attendee_id", "kind", "result",
              "scanned_at"),
        # "Who came in since", by the server's clock (an offline door's upload is new then,
        # whatever its scan time): People to meet here catches up on arrivals with it.
        Index("ix_checkins_event_id_received_at", "event_id", "received_at"),
        # A nonce names one scan at one event: another event's nonce never finds this one's.
        UniqueConstraint("event_id", "nonce"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Null when the scanned code matched no attendee of this event.
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(5), default=ScanKind.ENTRY.value)
    code: Mapped[str] = mapped_column(CleanLine(300), default="")
    result: Mapped[str] = mapped_column(String(32))
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    gate: Mapped[str] = mapped_column(CleanLine(60), default="")
    device: Mapped[str] = mapped_column(CleanLine(100), default="")
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    # Chosen by the scanning device; a repeated nonce is the same scan sent twice.
    nonce: Mapped[str] = mapped_column(String(64))
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EventFigures(db.Model):
    """An event's headline figures, kept by the database as its rows change, so the live
    dashboard reads one row, not 10,000 guests and 50,000 connections.

    Triggers on ``events``, ``attendees``, ``checkins`` and ``connections`` keep it (migration
    0021), so every write counts, whatever makes it: a scan, an undo, an import's bulk insert,
    a removal and its cascades. On PostgreSQL they run as the transaction commits (migration
    0023), so one event's check-ins do not queue behind each other's lock on this row; read
    the figures in a transaction of their own, never after a write in the same one. A
    migration that re-creates one of those tables (SQLite's batch mode) must create its
    triggers again (0023's ``create_triggers``); tests/test_event_figures.py checks they exist.
    """

    __tablename__ = "event_figures"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    registered: Mapped[int] = mapped_column(default=0)
    invited: Mapped[int] = mapped_column(default=0)
    checked_in: Mapped[int] = mapped_column(default=0)
    inside: Mapped[int] = mapped_column(default=0)
    walk_ins: Mapped[int] = mapped_column(default=0)
    scans: Mapped[int] = mapped_column(default=0)
    connections: Mapped[int] = mapped_column(default=0)


class EventArrivals(db.Model):
    """First check-ins per event and minute (``minute``: minutes since 1970, UTC), kept by
    the same triggers as ``EventFigures``: the arrivals chart sums a few hundred rows."""

    __tablename__ = "event_arrivals"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    minute: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    arrivals: Mapped[int] = mapped_column(default=0)
