"""A person's photo: two small sizes, kept in the database beside their card."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import UtcDateTime, now_utc
from checkin.extensions import db

KEY_LENGTH = 32


class PersonPhoto(db.Model):
    """One person's photo, as served: ``large`` (512 px WebP, for screens) and ``thumb``
    (192 px JPEG, for lists, emails and vCards, which every mail and contacts app reads).

    In the database rather than in a folder: every app server already shares it, a backup
    holds it, and "delete me" removes it in the same transaction as the card (the foreign
    key cascades). ``key`` is a hash of the content, so a changed photo is a new URL and a
    served one can be cached for a year.
    """

    __tablename__ = "person_photos"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    # Deferred: a page that shows a face reads the key, never the bytes.
    large: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumb: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)

    def __repr__(self) -> str:
        return f"<PersonPhoto person={self.person_id} {self.key}>"
