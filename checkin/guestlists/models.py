"""An uploaded guest list kept on the server between its preview and its import, and the rows
an import stages before one quick swap makes them guests."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import UtcDateTime, now_utc
from checkin.extensions import db

UPLOAD_STATES = ("previewed", "importing", "done", "failed")


class GuestlistUpload(db.Model):
    """One uploaded file: previewed, then confirmed once, imported in steps, done.

    Kept in the database (not in the page, not on one server's disk) so any app server can
    confirm it and continue it; its id is random and expires.
    """

    __tablename__ = "guestlist_uploads"
    __table_args__ = (
        CheckConstraint("state IN ('previewed', 'importing', 'done', 'failed')", name="state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(10), default="previewed")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # One worker at a time continues an import; a killed one's lease simply runs out.
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The guest list as the import's first plan saw it: anyone registered after this is
    # checked again, under the write lock, before the swap.
    planned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    planned_max_attendee_id: Mapped[int | None] = mapped_column(Integer)
    staged_through_line: Mapped[int] = mapped_column(default=0)
    staged: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")


class StagedGuest(db.Model):
    """A guest an import will add (no ``attendee_id``) or update, ready to be swapped in."""

    __tablename__ = "guestlist_staged"

    upload_id: Mapped[str] = mapped_column(
        ForeignKey("guestlist_uploads.id", ondelete="CASCADE"), primary_key=True)
    line: Mapped[int] = mapped_column(primary_key=True)
    # An update: the registration it changes (gone with it if the guest is removed meanwhile).
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True)
    # An update: the person it changes; a new guest: the id given at the swap.
    person_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict | None] = mapped_column(JSON)
    # Folded name and email (blank for a guest without a name), to match late registrations.
    match_key: Mapped[str] = mapped_column(String(340), default="")
    display_name: Mapped[str] = mapped_column(String(80), default="")
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    company: Mapped[str] = mapped_column(String(120), default="")
    headline: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str | None] = mapped_column(String(2))
    links: Mapped[list] = mapped_column(JSON, default=list)
    card_code: Mapped[str | None] = mapped_column(String(16))
    # A new guest's own session key, made at staging: a default in the swap's INSERT … SELECT
    # would be evaluated once and shared by every guest of the import.
    session_key: Mapped[str | None] = mapped_column(String(32))
    ticket_code: Mapped[str | None] = mapped_column(String(200))
    ticket_source: Mapped[str | None] = mapped_column(String(32))
    ticket_url: Mapped[str | None] = mapped_column(String(300))
    ticket_type: Mapped[str] = mapped_column(String(120), default="")
    attention_note: Mapped[str] = mapped_column(String(300), default="")
    search_key: Mapped[str] = mapped_column(String(800), default="")
