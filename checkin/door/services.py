"""Checking people in and out: the one function the door page, the API and the CLI call."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from checkin.accounts.models import Organizer
from checkin.columns import now_utc
from checkin.door.codes import codes_in, same_code, ticket_url_key
from checkin.door.models import CheckIn, ScanKind, ScanResult
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee
from checkin.tokens import new_secret
from checkin.transactions import commit_keeping_loaded

UNDO_WINDOW = timedelta(minutes=15)
# A camera sees a code held up many times a second: the same device scanning the same
# person again this soon is that one scan seen twice, not a new arrival.
REPEAT_WINDOW = timedelta(seconds=10)
# A scan time further than this from the event comes from a device whose clock is wrong.
SCAN_WINDOW = timedelta(days=1)
MAX_ATTENDEE_ID = 2**31 - 1


@dataclass
class ScanAnswer:
    """What the door is told. ``previous`` is the check-in that made this one a repeat."""

    result: ScanResult
    checkin: CheckIn
    attendee: Attendee | None = None
    previous: CheckIn | None = None
    replayed: bool = False
    # The nonce this scan came with (a repeat's answer is an earlier scan's log row).
    nonce: str = ""

    @property
    def ok(self) -> bool:
        return self.result == ScanResult.OK


def find_attendee(event: Event, scanned: str) -> tuple[Attendee | None, bool]:
    """The attendee of ``event`` a scanned value names, and whether it names another event's."""
    card_code, ticket_code = codes_in(scanned)
    url = ticket_url_key(scanned)
    candidates = db.session.scalars(_candidates_query(bool(card_code), bool(url)), {
        "event": event.id, "ticket": ticket_code, "card": card_code, "url": url}).all()
    for attendee in candidates:
        if attendee.event_id == event.id:
            return attendee, False
    if candidates:
        return None, True
    folded = _ticket_regardless_of_case(event, ticket_code)
    if folded is not None:
        return folded, False
    # Not a guest here: is it another event's ticket? (Only misses pay for this search.)
    elsewhere = db.session.scalar(
        select(Attendee.id).where(Attendee.ticket_code == ticket_code).limit(1))
    return None, elsewhere is not None


@cache
def _candidates_query(with_card_code: bool, with_url: bool):
    """Built once per shape (every scan runs one; building costs more than running it): the
    attendees a scanned value may name.

    Every lookup uses an index: ticket codes and URLs are unique per event, card codes
    everywhere.
    """
    clauses = [and_(Attendee.event_id == bindparam("event"),
                    Attendee.ticket_code == bindparam("ticket"))]
    if with_card_code:
        clauses.append(Attendee.card_code == bindparam("card"))
    if with_url:
        clauses.append(and_(Attendee.event_id == bindparam("event"),
                            Attendee.ticket_url == bindparam("url")))
    return _with_card(select(Attendee).where(or_(*clauses)).limit(20))


def _with_card(query):
    """The attendees a scan names with their card (the answer shows the name) in the same
    query, as they are now: a door's queue may scan one person twice in one request."""
    return query.options(joinedload(Attendee.person)).execution_options(populate_existing=True)


def _ticket_regardless_of_case(event: Event, ticket_code: str) -> Attendee | None:
    """The one guest whose ticket code is ``ticket_code`` but for case (typed ``demo-1038``
    for ``DEMO-1038``); none when two codes differ only by case (the door then asks for a
    hand check rather than guess)."""
    if not ticket_code:
        return None
    found = db.session.scalars(_with_card(
        select(Attendee).where(Attendee.event_id == event.id,
                               func.lower(Attendee.ticket_code) == ticket_code.lower())
        .limit(2))).all()
    return found[0] if len(found) == 1 else None


def _previous_entry(attendee: Attendee) -> CheckIn | None:
    return db.session.scalar(_previous_entry_query(), {"attendee": attendee.id})


@cache
def _previous_entry_query():
    """Built once: every repeated scan runs it."""
    return (select(CheckIn)
            .where(CheckIn.attendee_id == bindparam("attendee"), CheckIn.kind == ScanKind.ENTRY,
                   CheckIn.result == ScanResult.OK, CheckIn.undone_at.is_(None))
            .order_by(CheckIn.scanned_at.desc())
            .limit(1))


def _replay(event: Event, nonce: str, code: str, kind: str,
            attendee_id: int | None) -> ScanAnswer | None:
    """The first answer to this nonce at this event, if it was seen; refused for another scan."""
    earlier = db.session.scalar(select(CheckIn).filter_by(event_id=event.id, nonce=nonce))
    if earlier is None:
        return None
    if attendee_id is not None:  # picked from a search: no code to compare
        same = not earlier.code and earlier.attendee_id == attendee_id
    else:
        same = bool(earlier.code) and same_code(earlier.code, code)
    if not same or earlier.kind != kind:
        raise DomainError("nonce_reused", _l("This nonce was already used for another scan."),
                          status=409)
    attendee = db.session.scalar(_with_card(select(Attendee).where(
        Attendee.id == earlier.attendee_id))) if earlier.attendee_id else None
    result = ScanResult(earlier.result)
    previous = _previous_entry(attendee) if attendee and result != ScanResult.OK else None
    return ScanAnswer(result, earlier, attendee, previous, replayed=True, nonce=nonce)


def _repeat(event: Event, attendee: Attendee, kind: str, device: str,
            scanned_at: datetime, nonce: str) -> ScanAnswer | None:
    """The answer this device got for this person moments ago, if this scan repeats it.

    Timed by the scan times, so a queued scan sent again meets the same earlier scan."""
    if not device:
        return None
    earlier = db.session.scalar(
        select(CheckIn)
        .where(CheckIn.event_id == event.id, CheckIn.attendee_id == attendee.id,
               CheckIn.device == device[:100], CheckIn.kind == kind,
               CheckIn.undone_at.is_(None),
               CheckIn.scanned_at.between(scanned_at - REPEAT_WINDOW, scanned_at + REPEAT_WINDOW))
        .order_by(CheckIn.scanned_at.desc()).limit(1))
    if earlier is None:
        return None
    result = ScanResult(earlier.result)
    previous = _previous_entry(attendee) if result != ScanResult.OK else None
    return ScanAnswer(result, earlier, attendee, previous, replayed=True, nonce=nonce)


def _picked(event: Event, attendee_id: int) -> Attendee | None:
    """The attendee of ``event`` staff picked from a search (the door keeps no card codes)."""
    if isinstance(attendee_id, bool) or not isinstance(attendee_id, int) \
            or not 1 <= attendee_id <= MAX_ATTENDEE_ID:
        raise DomainError("bad_attendee", _l("attendee must be an attendee id."))
    attendee = db.session.scalar(_with_card(select(Attendee).where(Attendee.id == attendee_id)))
    return attendee if attendee is not None and attendee.event_id == event.id else None


def _checked_scan_time(event: Event, scanned_at: datetime | None,
                       received: datetime) -> datetime:
    """When the scan happened: the device's time if it is believable, else a refusal."""
    if scanned_at is None:
        return received
    if scanned_at.tzinfo is None:
        raise DomainError("bad_time", _l("The scan time needs a time zone offset."))
    if scanned_at > received + timedelta(minutes=5):
        raise DomainError("bad_time", _l("The scan time is in the future."))
    if not event.starts_at - SCAN_WINDOW <= scanned_at <= event.ends_at + SCAN_WINDOW:
        raise DomainError("scan_outside_event", _l("The scan's time is more than a day away "
                                                    "from the event: check the device's clock."),
                          field="scanned_at")
    return scanned_at


def _mark_entry(event: Event, attendee: Attendee, at: datetime, gate: str,
                queued: bool = False) -> ScanResult:
    """Set the attendee inside, atomically; the answer for this entry scan.

    ``attendee`` was just read in this transaction: one already inside is answered without
    a write (any later exit is a later scan). The conditional UPDATE decides the rest, and
    returns what it wrote, so the answer needs no second read.
    """
    if attendee.inside and not queued:
        return ScanResult.ALREADY_CHECKED_IN
    won = db.session.execute(_entry_update(), {"attendee": attendee.id, "gate_": gate,
                                               "at": at}).first()
    if won is not None:
        _as_written(attendee, inside=True, checked_in_gate=gate, checked_in_at=won[0])
        return ScanResult.OK
    if not queued:
        # Online, the first request to arrive wins, whatever the devices' clocks say:
        # two doors must never both let one code in.
        return ScanResult.ALREADY_CHECKED_IN
    # A device that was offline let the person in earlier than the recorded
    # check-in: its scan takes that place; the later one becomes the duplicate.
    earlier = db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.checked_in_at > at)
        .values(checked_in_at=at, checked_in_gate=gate)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not earlier:
        return ScanResult.ALREADY_CHECKED_IN
    _as_written(attendee, checked_in_at=at, checked_in_gate=gate)
    db.session.execute(
        update(CheckIn)
        .where(and_(CheckIn.attendee_id == attendee.id, CheckIn.kind == ScanKind.ENTRY,
                    CheckIn.result == ScanResult.OK, CheckIn.scanned_at > at))
        .values(result=ScanResult.DUPLICATE)
        .execution_options(synchronize_session=False)
    )
    return ScanResult.OK


@cache
def _entry_update():
    """Built once (every first entry runs it): inside, through this gate, at the first entry's
    time, only if not inside already; it returns the time it kept."""
    return (update(Attendee)
            .where(Attendee.id == bindparam("attendee"), Attendee.inside.is_(False))
            .values(inside=True, checked_in_gate=bindparam("gate_"),
                    checked_in_at=db.func.coalesce(
                        Attendee.checked_in_at,
                        bindparam("at", type_=Attendee.__table__.c.checked_in_at.type)))
            .returning(Attendee.checked_in_at)
            .execution_options(synchronize_session=False))


def _mark_exit(attendee: Attendee) -> ScanResult:
    left = db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.inside.is_(True))
        .values(inside=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not left:
        return ScanResult.NOT_CHECKED_IN
    _as_written(attendee, inside=False)
    return ScanResult.OK


def _as_written(attendee: Attendee, **values) -> None:
    """Keep the loaded row as an UPDATE above wrote it (it bypasses the ORM)."""
    for name, value in values.items():
        set_committed_value(attendee, name, value)


def check_in(
    event: Event,
    code: str = "",
    *,
    attendee_id: int | None = None,
    kind: str = ScanKind.ENTRY,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    gate: str = "",
    device: str = "",
    organizer: Organizer | None = None,
    queued: bool = False,
) -> ScanAnswer:
    """Record one scan at ``event``'s door and say what the door should show.

    The scan names its person by ``code`` (what was scanned or typed) or, picked
    from a search at the door, by ``attendee_id``. ``kind`` is entry or exit. A
    ``nonce`` seen before at this event returns the first answer and records
    nothing; the same nonce with another code is refused. ``scanned_at`` is when
    the device scanned (queued offline scans arrive later); a time more than a
    day away from the event is refused. Every scan is logged, unknown codes included.

    ``queued`` marks a scan a device decided on its own while offline and uploads
    now: if the person is already in, it is logged as a ``duplicate`` (the person
    was let in, but the earlier scan is the check-in), not as a refused entry.
    """
    if kind not in (ScanKind.ENTRY, ScanKind.EXIT):
        raise DomainError("bad_kind", _l("The type must be entry or exit."))
    code = (code or "").strip()[:CheckIn.code.type.length]
    if not code and attendee_id is None:
        raise DomainError("missing_code", _l("No code was given."))
    nonce = nonce or None
    if nonce is not None and len(nonce) > CheckIn.nonce.type.length:
        raise DomainError("bad_nonce", _l("The nonce is too long."))
    received = now_utc()
    scanned_at = _checked_scan_time(event, scanned_at, received)
    kind = str(kind)
    if nonce is None:
        nonce = new_secret()  # made here: no earlier scan can hold it
    else:
        replay = _replay(event, nonce, code, kind, attendee_id)
        if replay is not None:
            return replay
    if attendee_id is not None:
        attendee, elsewhere = _picked(event, attendee_id), False
    else:
        attendee, elsewhere = find_attendee(event, code)
    repeat = attendee and _repeat(event, attendee, kind, device, scanned_at, nonce)
    if repeat:
        return repeat
    if attendee is None:
        result = ScanResult.WRONG_EVENT if elsewhere else ScanResult.UNKNOWN_CODE
    elif kind == ScanKind.ENTRY:
        result = _mark_entry(event, attendee, scanned_at, gate, queued)
        if queued and result == ScanResult.ALREADY_CHECKED_IN:
            result = ScanResult.DUPLICATE
    else:
        result = _mark_exit(attendee)
    log = CheckIn(event_id=event.id, attendee_id=attendee.id if attendee else None,
                  kind=kind, code=code, result=result, scanned_at=scanned_at,
                  received_at=received, gate=gate[:60], device=device[:100],
                  organizer_id=organizer.id if organizer else None, nonce=nonce)
    db.session.add(log)
    try:
        # The answer is made of what this transaction read and wrote: nothing to read again.
        commit_keeping_loaded()
    except IntegrityError:  # the same nonce arrived twice at the same moment
        db.session.rollback()
        return _replay(event, nonce, code, kind, attendee_id)
    repeat = result in (ScanResult.ALREADY_CHECKED_IN, ScanResult.DUPLICATE)
    previous = _previous_entry(attendee) if attendee and repeat else None
    return ScanAnswer(result, log, attendee, previous, nonce=nonce)


def undo_check_in(event: Event, checkin_id: int) -> CheckIn:
    """Take back an entry or an exit recorded less than 15 minutes ago (a mistaken tap).

    An undone exit puts the person back inside; an undone entry leaves them as the
    entry before it did (or not checked in)."""
    log = db.session.get(CheckIn, checkin_id)
    if log is None or log.event_id != event.id:
        raise DomainError("not_found", _l("No such check-in."), status=404)
    if log.result != ScanResult.OK or log.undone_at is not None:
        raise DomainError("not_undoable", _l("Only a scan that let someone in or out can be "
                                             "undone."), status=409)
    if now_utc() - log.received_at > UNDO_WINDOW:
        raise DomainError("too_late", _l("A check-in can be undone for 15 minutes only."),
                          status=409)
    log.undone_at = now_utc()
    attendee = db.session.get(Attendee, log.attendee_id)
    if log.kind == ScanKind.EXIT:
        attendee.inside = True
        db.session.commit()
        return log
    db.session.flush()
    remaining = _previous_entry(attendee)
    attendee.checked_in_at = remaining.scanned_at if remaining else None
    attendee.checked_in_gate = remaining.gate if remaining else ""
    attendee.inside = remaining is not None
    db.session.commit()
    return log
