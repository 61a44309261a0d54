"""QR drawings, kept once per payload so no request ever draws one."""

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import UtcDateTime, now_utc
from checkin.extensions import db


class QrDrawing(db.Model):
    __tablename__ = "qr_drawings"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[str] = mapped_column(String(500), unique=True)
    version: Mapped[int]
    svg: Mapped[str] = mapped_column(Text)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
