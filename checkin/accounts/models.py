"""Organizers, their role in each event, their API tokens and staff invitations."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkin.columns import CleanLine, UtcDateTime, now_utc, one_of
from checkin.extensions import db
from checkin.tokens import new_session_key


class Role(enum.StrEnum):
    OWNER = "owner"
    DOOR = "door"


class Organizer(UserMixin, db.Model):
    __tablename__ = "organizers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the services, so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(CleanLine(200), default="")
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    # In the console session and the "remember me" cookie beside the id (Flask-Login's
    # alternative id): a new password or "sign out everywhere" replaces it, which ends
    # every session, remembered ones included.
    session_key: Mapped[str] = mapped_column(String(32), default=new_session_key)

    roles: Mapped[list["EventRole"]] = relationship(
        back_populates="organizer", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_key}"

    def __repr__(self) -> str:
        return f"<Organizer {self.email}>"


class EventRole(db.Model):
    __tablename__ = "event_roles"
    __table_args__ = (
        UniqueConstraint("event_id", "organizer_id"),
        CheckConstraint(one_of("role", Role), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)

    organizer: Mapped[Organizer] = relationship(back_populates="roles")
    event: Mapped["Event"] = relationship()  # noqa: F821


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), index=True
    )
    # The first characters, shown in lists so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(CleanLine(100), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    organizer: Mapped[Organizer] = relationship()


class StaffInvitation(db.Model):
    """A one-time link an owner sends to give someone a role in an event."""

    __tablename__ = "staff_invitations"
    __table_args__ = (CheckConstraint(one_of("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10), default=Role.DOOR.value)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
