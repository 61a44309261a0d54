"""Rate limits whose counters live in the database, so every process shares them.

Two kinds: ``allow`` counts hits in a fixed window (a ceiling per address or per email);
``claim_attempt`` makes someone wait longer and longer after repeated failures, without
ever shutting the door for good.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from checkin.columns import UtcDateTime, now_utc
from checkin.extensions import db
from checkin.transactions import write_alone

# INSERT … ON CONFLICT, which both databases speak, each through its own dialect's insert.
UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)


def allow(key: str, limit: int, per: timedelta) -> bool:
    """Count one hit against ``key``; False once more than ``limit`` fall in the window.

    One statement that counts and answers (an upsert returning the count; on PostgreSQL one
    round trip, its own transaction), and on a window's first hit a second that forgets the
    windows before it. Commits, so call it before the use case's work.
    """
    now = now_utc()
    seconds = int(per.total_seconds())
    epoch = int(now.timestamp())
    window = datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)
    upsert = UPSERTS[db.session.get_bind().dialect.name](RateLimitCounter).values(
        key=key[:200], window_start=window, hits=1)
    [(hits,)] = write_alone(upsert.on_conflict_do_update(
        index_elements=[RateLimitCounter.key, RateLimitCounter.window_start],
        set_={"hits": RateLimitCounter.hits + 1}).returning(RateLimitCounter.hits))
    if hits == 1:
        write_alone(delete(RateLimitCounter).where(RateLimitCounter.window_start < window - per))
    return hits <= limit


class AttemptBackoff(db.Model):
    """Attempts counted against one key (failures until a success forgets them), and the
    earliest instant the next one is looked at."""

    __tablename__ = "attempt_backoffs"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


@dataclass(frozen=True)
class Backoff:
    """``free`` attempts go at once; after that each waits twice as long as the one before,
    from ``first_wait`` up to ``longest_wait``. Quiet for ``forget_after``, the count restarts."""

    free: int
    first_wait: timedelta
    longest_wait: timedelta
    forget_after: timedelta

    def wait_after(self, attempts: int) -> timedelta:
        if attempts < self.free:
            return timedelta(0)
        doublings = min(attempts - self.free, 32)
        return min(self.first_wait * 2**doublings, self.longest_wait)


def claim_attempt(key: str, policy: Backoff) -> timedelta:
    """Count one attempt against ``key``, as a failure until ``forget_attempts`` says otherwise.

    Returns how long to wait before the next attempt is looked at: zero means go ahead.
    A refused attempt is not counted, so waiting is all it takes. The claim is one
    conditional UPDATE (``retry_at <= now``): parallel attempts cannot all slip through
    before the first failure is written. Commits its own small transaction.
    """
    now, key = now_utc(), key[:200]
    for _ in range(3):  # another round only if another process made or removed the row meanwhile
        attempts = db.session.execute(
            update(AttemptBackoff)
            # The free attempts are counted, not timed: parallel ones must not miss each
            # other by a few microseconds of clock.
            .where(AttemptBackoff.key == key,
                   (AttemptBackoff.failures < policy.free) | (AttemptBackoff.retry_at <= now))
            .values(failures=case((AttemptBackoff.retry_at < now - policy.forget_after, 1),
                                  else_=AttemptBackoff.failures + 1))
            .returning(AttemptBackoff.failures)
            .execution_options(synchronize_session=False)
        ).scalar()
        if attempts is not None:
            db.session.execute(
                update(AttemptBackoff).where(AttemptBackoff.key == key)
                .values(retry_at=now + policy.wait_after(attempts))
                .execution_options(synchronize_session=False)
            )
            break
        retry_at = db.session.scalar(select(AttemptBackoff.retry_at).filter_by(key=key))
        if retry_at is not None:
            db.session.commit()
            return max(retry_at - now, timedelta(seconds=1))
        try:
            with db.session.begin_nested():
                db.session.add(AttemptBackoff(key=key, failures=1,
                                              retry_at=now + policy.wait_after(1)))
            break
        except IntegrityError:
            continue
    else:
        db.session.commit()
        return timedelta(seconds=1)
    db.session.execute(
        delete(AttemptBackoff).where(AttemptBackoff.retry_at < now - policy.forget_after)
    )
    db.session.commit()
    return timedelta(0)


def forget_attempts(key: str) -> None:
    """The attempt succeeded: the failures counted against ``key`` are forgotten."""
    db.session.execute(delete(AttemptBackoff).where(AttemptBackoff.key == key[:200]))
    db.session.commit()
