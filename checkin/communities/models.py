"""A community and the organizers who own it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkin.accounts.models import Organizer
from checkin.columns import CleanLine, UtcDateTime, now_utc, one_of
from checkin.extensions import db
from checkin.i18n import LANGUAGES

COMMUNITY_LIMITS = {"name": 200, "slug": 64}


class Community(db.Model):
    """The group that runs events; its members are one person each, from event to event."""

    __tablename__ = "communities"
    __table_args__ = (CheckConstraint(one_of("default_language", LANGUAGES), name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(COMMUNITY_LIMITS["slug"]), unique=True)
    name: Mapped[str] = mapped_column(CleanLine(COMMUNITY_LIMITS["name"]))
    default_language: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)

    owners: Mapped[list["CommunityOwner"]] = relationship(
        back_populates="community", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Community {self.slug}>"


class CommunityOwner(db.Model):
    """An organizer who runs ``community``: its settings, its owners, its new events."""

    __tablename__ = "community_owners"
    __table_args__ = (UniqueConstraint("community_id", "organizer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)

    community: Mapped[Community] = relationship(back_populates="owners")
    organizer: Mapped[Organizer] = relationship()
