"""The sender: claims outbox rows one at a time and delivers them over one transport."""

import functools
import logging
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from checkin.columns import now_utc
from checkin.extensions import db
from checkin.mail.mime import to_mime
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.mail.private import delivered_copy
from checkin.mail.services import RENDERED_AT_SEND, release_stuck
from checkin.mail.transports import (
    ConnectFailure,
    DeliveryStopped,
    PermanentFailure,
    TransientFailure,
    transport_for,
)

CONNECT_FAILURES_BEFORE_STOP = 3  # without --follow
RECONNECT_CAP_SECONDS = 60.0  # the longest pause between two tries to reach the server
FOLLOW_POLL_SECONDS = 0.2
RECORD_ATTEMPTS = 8

log = logging.getLogger(__name__)


@dataclass
class Tally:
    """What one sender run did: ``retried`` counts transient failures met on the way,
    ``waiting`` the messages left pending for a later run."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    waiting: int = 0
    dropped: int = 0  # rendered at send time and no longer to send (see RENDERED_AT_SEND)


def mail_setting(name: str):
    return current_app.config[name]


def backoff_seconds(attempts: int) -> float:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base… up to the cap."""
    base, cap = mail_setting("CHECKIN_MAIL_RETRY_BASE"), mail_setting("CHECKIN_MAIL_RETRY_CAP")
    return min(cap, base * 2 ** max(0, attempts - 1))


def _scope(query, event_id, kinds):
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    return query


def deliver_pending(event_id: int | None = None, kinds: tuple[str, ...] | None = None,
                    limit: int | None = None, on_progress=None, wait: bool = True,
                    seconds: float | None = None, follow=None, stop=None) -> Tally:
    """Send pending outbox messages over one reused connection.

    Each message is claimed (``sending``) in one commit and marked ``sent`` in
    its own commit right after the server accepts it, so a sender killed at any
    moment resends at most the one message in flight. Transient failures go
    back to pending with a growing delay; with ``wait`` the run waits for a
    retry due within CHECKIN_MAIL_MAX_WAIT seconds. ``on_progress(message)`` is
    called once per message that reached its end (sent or failed). With
    ``seconds`` the run stops taking new messages after that long (a web request).
    ``stop()`` true ends the run between two messages (a signal).

    While ``follow()`` is true the run does not end by itself (the sender beside the
    server): it watches an empty outbox for new messages, puts back rows a killed sender
    left ``sending`` past the lease (CHECKIN_MAIL_STUCK_AFTER), and waits out a mail
    server that cannot be reached or refuses the login, trying again with a growing pause.
    Without ``follow`` the third such failure in a row ends the run (DeliveryStopped).
    A message that met one keeps its tries: nothing was sent.
    """
    tally = Tally()
    deadline = None if seconds is None else time.monotonic() + seconds
    timeout = mail_setting("CHECKIN_MAIL_TIMEOUT")
    transport = transport_for(current_app.config["CHECKIN_MAIL_URL"], timeout=timeout)
    sender = current_app.config["CHECKIN_MAIL_FROM"]
    outage = Outage()
    next_release = time.monotonic()

    def stopping() -> bool:
        return deadline is not None and time.monotonic() > deadline or bool(stop and stop())

    def going_on() -> bool:
        return (limit is None or tally.sent + tally.failed < limit) and not stopping()

    # The next message, claimed in the commit that recorded the last one's outcome (NONE:
    # that claim found nothing due), or None: claim it on its own.
    claimed = None
    try:
        while going_on():
            if follow and time.monotonic() >= next_release:
                next_release = time.monotonic() + _release_lost_messages()
            message, claimed = claimed, None
            try:
                if message is None:
                    message = claim_next(event_id, kinds)
            except OperationalError:  # the database is busy (SQLite's one writer): again soon
                db.session.rollback()
                time.sleep(FOLLOW_POLL_SECONDS)
                continue
            if message is NONE:
                message = None
            if message is None and follow and follow():
                time.sleep(FOLLOW_POLL_SECONDS)
                continue
            if message is None:
                delay = _seconds_to_next_retry(event_id, kinds)
                if not wait or delay is None or delay > mail_setting("CHECKIN_MAIL_MAX_WAIT"):
                    break
                time.sleep(max(0.0, delay))
                continue
            try:
                outcome, claimed = _deliver_one(
                    transport, sender, message, tally,
                    then_claim=(event_id, kinds) if going_on() else None)
            except (ConnectFailure, DeliveryStopped) as error:
                gives_up = isinstance(error, DeliveryStopped) or (
                    outage.failures + 1 >= CONNECT_FAILURES_BEFORE_STOP)
                if not follow and gives_up:
                    raise DeliveryStopped(str(error)) from None
                _pause(outage.failed(error), stopping)
                continue
            outage.over()
            if outcome != OutboxStatus.PENDING and on_progress:
                on_progress(message)
    finally:
        if isinstance(claimed, OutboxMessage):  # claimed, then told to stop: it waits again
            _give_back(claimed)
        transport.close()
        tally.waiting = db.session.scalar(
            _scope(select(func.count()).select_from(OutboxMessage), event_id, kinds)
            .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
        )
        db.session.rollback()
    return tally


@dataclass
class Outage:
    """The mail server could not be reached (or refused the login) ``failures`` times in a
    row; each failure is followed by a longer pause, and the end of it is said once."""

    failures: int = 0

    def failed(self, error: Exception) -> float:
        """The pause before the next try, after saying why."""
        self.failures += 1
        pause = min(RECONNECT_CAP_SECONDS, backoff_seconds(self.failures))
        log.warning("Mail not sent: %s; trying again in %.1f s.", error, pause)
        return pause

    def over(self) -> None:
        if self.failures:
            log.warning("The mail server is reachable again (after %d failed tries); sending.",
                        self.failures)
        self.failures = 0


def _pause(seconds: float, stopping) -> None:
    end = time.monotonic() + seconds
    while not stopping() and (left := end - time.monotonic()) > 0:
        time.sleep(min(FOLLOW_POLL_SECONDS, left))


def _release_lost_messages() -> float:
    """Put back in the queue what a killed sender left ``sending`` past the lease; the
    seconds until the next look (a quarter lease, so a lost message waits 1 to 1.25 leases)."""
    lease = mail_setting("CHECKIN_MAIL_STUCK_AFTER")
    try:
        released = release_stuck(lease)
    except OperationalError:  # busy: look again soon
        db.session.rollback()
        return FOLLOW_POLL_SECONDS
    if released:
        log.warning("%d message(s) left 'sending' by a stopped sender go out again.", released)
    return lease / 4


def claim_next(event_id=None, kinds=None) -> OutboxMessage | None:
    """The next due pending message, marked ``sending`` and committed, or None.

    One statement: an UPDATE of the first due pending row that returns the row, so the
    claim reads nothing twice. On PostgreSQL that row is picked ``FOR UPDATE SKIP
    LOCKED``, so several senders walk the outbox side by side; everywhere, the update only
    takes a row that is still pending, so no two senders claim one message.
    """
    row = _claim(event_id, kinds)
    db.session.commit()
    return None if row is None else _claimed(row)


def _claim(event_id, kinds):
    """The claim's row, inside the caller's transaction (the caller commits, then makes the
    message of it with ``_claimed``: a commit expires what the session holds). Run on the
    session's connection: a table's statement needs nothing of the ORM's execute."""
    statement = _claim_statement(event_id is not None, tuple(kinds or ()), db.engine.dialect.name)
    return db.session.connection().execute(
        statement, {"scope_event_id": event_id, "now": now_utc()}).mappings().first()


def _claimed(row) -> OutboxMessage:
    """The row as the claim left it, in the session without reading it again."""
    message = OutboxMessage(**{column.key: row[column] for column in OutboxMessage.__table__.c})
    make_transient_to_detached(message)
    return db.session.merge(message, load=False)


@functools.lru_cache(maxsize=32)
def _claim_statement(by_event: bool, kinds: tuple[str, ...], dialect: str):
    """The claim's UPDATE … RETURNING for one scope, built once (the event and ``now``
    are bound at each run; a bound name may not be a column's)."""
    table = OutboxMessage.__table__
    due = (select(table.c.id).where(table.c.status == OutboxStatus.PENDING.value,
                                    table.c.next_attempt_at <= bindparam("now"))
           .order_by(table.c.next_attempt_at, table.c.id).limit(1))
    if by_event:
        due = due.where(table.c.event_id == bindparam("scope_event_id"))
    if kinds:
        due = due.where(table.c.kind.in_(kinds))
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return (update(table)
            .where(table.c.id == due.scalar_subquery(),
                   table.c.status == OutboxStatus.PENDING.value)
            .values(status=OutboxStatus.SENDING.value, attempts=table.c.attempts + 1,
                    updated_at=bindparam("now"))
            .returning(*table.c))


def _seconds_to_next_retry(event_id, kinds) -> float | None:
    due = db.session.scalar(
        _scope(select(func.min(OutboxMessage.next_attempt_at)), event_id, kinds)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    db.session.rollback()
    if due is None:
        return None
    return (due - now_utc()).total_seconds()


DROPPED = "dropped"


def _rendered_now(message: OutboxMessage, tally: Tally) -> bool:
    """Render a message whose domain renders it at send time; False (and the row gone)
    when it is no longer to send. The new content is committed before it goes out."""
    render = RENDERED_AT_SEND.get(message.kind)
    if render is None:
        return True
    if render(message):
        db.session.commit()
        return True
    db.session.delete(message)
    db.session.commit()
    tally.dropped += 1
    return False


def _deliver_one(transport, sender: str, message: OutboxMessage, tally: Tally,
                 then_claim: tuple | None = None) -> tuple[str, OutboxMessage | None]:
    """Send one claimed message and record its outcome; with ``then_claim`` (the scope) the
    commit that records it also claims the next message, which is returned (NONE when none
    is due), so a message costs one commit and not two."""
    if not _rendered_now(message, tally):
        return DROPPED, None
    try:
        mime = to_mime(message, sender)
    except (ValueError, TypeError, KeyError) as error:  # a row that cannot become an email
        mime, error_text = None, f"cannot build the message: {error}"
    if mime is not None and not _ONE_ADDRESS.match(message.to_address):
        mime, error_text = None, f"not a single valid address: {message.to_address!r}"
    try:
        if mime is None:
            raise PermanentFailure(error_text)
        transport.send(mime, sender=_address_of(sender), recipient=message.to_address)
    except (ConnectFailure, DeliveryStopped) as error:
        # Nothing reached the server: the message waits as it was, its try given back.
        _record(message, status=OutboxStatus.PENDING.value, attempts=message.attempts - 1,
                last_error=str(error)[:2000])
        raise
    except PermanentFailure as error:
        outcome = _failed(str(error))
        tally.failed += 1
    except TransientFailure as error:
        tally.retried += 1
        if message.attempts >= mail_setting("CHECKIN_MAIL_MAX_ATTEMPTS"):
            outcome = _failed(f"gave up after {message.attempts} attempts: {error}")
            tally.failed += 1
        else:
            claimed = _record(message, then_claim, status=OutboxStatus.PENDING.value,
                              last_error=str(error)[:2000], next_attempt_at=now_utc() + timedelta(
                                  seconds=backoff_seconds(message.attempts)))
            return OutboxStatus.PENDING.value, claimed
    else:
        outcome = {"status": OutboxStatus.SENT.value, "sent_at": now_utc(), "last_error": "",
                   **_without_private_parts(message)}
        tally.sent += 1
    return outcome["status"], _record(message, then_claim, **outcome)


def _give_back(message: OutboxMessage) -> None:
    """A claimed message that will not be sent by this run waits again, its try returned."""
    _record(message, status=OutboxStatus.PENDING.value, attempts=message.attempts - 1)


def _without_private_parts(message: OutboxMessage) -> dict:
    """Written with "sent" in one commit: delivered, the row keeps no secret."""
    copy = delivered_copy(message.text_body, message.html_body, message.headers or {},
                          message.attachments or [], message.private_parts or {})
    return {} if copy is None else copy | {"redacted_at": now_utc()}


def _failed(reason: str) -> dict:
    return {"status": OutboxStatus.FAILED.value, "last_error": reason[:2000]}


def _record(message: OutboxMessage, then_claim: tuple | None = None, **values):
    """Commit a message's outcome, insisting: once the server has accepted a message, losing
    the word "sent" to a busy database (SQLite's lock) would send it twice.

    With ``then_claim`` (event id, kinds) the same commit claims the next message and this
    returns it (NONE when none was due). Killed after that commit, the next message is left
    ``sending`` unsent, as a sender killed between a claim and its send always left it: the
    lease puts it back (see ``release_stuck``)."""
    statement = _record_statement(tuple(sorted(values)))
    params = {"outcome_id": message.id, "outcome_at": now_utc(),
              **{f"outcome_{name}": value for name, value in values.items()}}
    for attempt in range(RECORD_ATTEMPTS):
        try:
            db.session.connection().execute(statement, params)  # as the claim's, see _claim
            claimed = _claim(*then_claim) if then_claim else None
            db.session.commit()
            break
        except OperationalError:
            db.session.rollback()
            if attempt == RECORD_ATTEMPTS - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    for name, value in values.items():
        set_committed_value(message, name, value)
    if then_claim:
        return NONE if claimed is None else _claimed(claimed)
    return None


# What a claim made with a message's outcome found when no message was due.
NONE = object()


@functools.lru_cache(maxsize=32)
def _record_statement(names: tuple[str, ...]):
    """The UPDATE that writes an outcome's columns (``names``), built once per outcome (a
    bound name may not be a column's)."""
    table = OutboxMessage.__table__
    return (update(table).where(table.c.id == bindparam("outcome_id"))
            .values(updated_at=bindparam("outcome_at", type_=table.c.updated_at.type),
                    **{name: bindparam(f"outcome_{name}", type_=table.c[name].type)
                       for name in names}))


_ONE_ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+$")


def _address_of(sender: str) -> str:
    return parseaddr(sender)[1] or sender
