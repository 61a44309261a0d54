"""Rate limits whose counters live in the database, so every process shares them."""

from datetime import datetime, timedelta

from sqlalchemy import String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import UtcDateTime, now_utc
from checkin.extensions import db


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)


def allow(key: str, limit: int, per: timedelta) -> bool:
    """Count one hit against ``key``; False once more than ``limit`` fall in the window.

    Commits its own small transaction, so call it before the use case's work.
    """
    now = now_utc()
    seconds = int(per.total_seconds())
    epoch = int(now.timestamp())
    window = datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)
    row = {"key": key[:200], "window_start": window}
    updated = db.session.execute(
        update(RateLimitCounter)
        .filter_by(**row)
        .values(hits=RateLimitCounter.hits + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not updated:
        try:
            with db.session.begin_nested():
                db.session.add(RateLimitCounter(**row, hits=1))
        except IntegrityError:  # another process made the row first
            db.session.execute(
                update(RateLimitCounter)
                .filter_by(**row)
                .values(hits=RateLimitCounter.hits + 1)
                .execution_options(synchronize_session=False)
            )
    db.session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.window_start < window - per)
    )
    hits = db.session.scalar(select(RateLimitCounter.hits).filter_by(**row))
    db.session.commit()
    return hits <= limit
