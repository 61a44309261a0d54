"""Checking people in and out: the one function the door page, the API and the CLI call."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from checkin.accounts.models import Organizer
from checkin.columns import now_utc
from checkin.door.models import CheckIn, ScanKind
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee
from checkin.tokens import CARD_CODE_ALPHABET, CARD_CODE_LENGTH, new_secret, normalize_card_code

UNDO_WINDOW = timedelta(minutes=15)
OK = "ok"
ALREADY_CHECKED_IN = "already_checked_in"
NOT_CHECKED_IN = "not_checked_in"
UNKNOWN_CODE = "unknown_code"
WRONG_EVENT = "wrong_event"
# A repeat a device let in on its own while offline (see ``queued``): logged, not refused.
DUPLICATE = "duplicate"


@dataclass
class ScanAnswer:
    """What the door is told. ``previous`` is the check-in that made this one a repeat."""

    result: str
    checkin: CheckIn
    attendee: Attendee | None = None
    previous: CheckIn | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.result == OK


def codes_in(scanned: str) -> tuple[str | None, str]:
    """The card code (if the value can be one) and the ticket code a scanned value carries.

    Accepts our card URL (any case), a bare card code, a Luma check-in URL
    (its ``pk``) and any other ticket code as printed.
    """
    value = scanned.strip()
    ticket_code = value
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) >= 2 and segments[-2].lower() == "c":
            value = segments[-1]
        else:
            pk = parse_qs(parts.query).get("pk")
            ticket_code = value = pk[0] if pk else value
    card = normalize_card_code(value)
    is_card = len(card) == CARD_CODE_LENGTH and all(c in CARD_CODE_ALPHABET for c in card)
    return (card if is_card else None), ticket_code


def find_attendee(event: Event, scanned: str) -> tuple[Attendee | None, bool]:
    """The attendee of ``event`` a scanned value names, and whether it names another event's."""
    card_code, ticket_code = codes_in(scanned)
    # Both lookups use an index: ticket codes are unique per event, card codes everywhere.
    clauses = [and_(Attendee.event_id == event.id, Attendee.ticket_code == ticket_code)]
    if card_code:
        clauses.append(Attendee.card_code == card_code)
    candidates = db.session.scalars(select(Attendee).where(or_(*clauses)).limit(20)).all()
    for attendee in candidates:
        if attendee.event_id == event.id:
            return attendee, False
    if candidates:
        return None, True
    # Not a guest here: is it another event's ticket? (Only misses pay for this search.)
    elsewhere = db.session.scalar(
        select(Attendee.id).where(Attendee.ticket_code == ticket_code).limit(1))
    return None, elsewhere is not None


def _previous_entry(attendee: Attendee) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn)
        .where(CheckIn.attendee_id == attendee.id, CheckIn.kind == ScanKind.ENTRY,
               CheckIn.result == OK, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.scanned_at.desc())
        .limit(1)
    )


def _replay(nonce: str) -> ScanAnswer | None:
    earlier = db.session.scalar(select(CheckIn).filter_by(nonce=nonce))
    if earlier is None:
        return None
    attendee = db.session.get(Attendee, earlier.attendee_id) if earlier.attendee_id else None
    previous = _previous_entry(attendee) if attendee and earlier.result != OK else None
    return ScanAnswer(earlier.result, earlier, attendee, previous, replayed=True)


def _mark_entry(event: Event, attendee: Attendee, at: datetime, gate: str,
                queued: bool = False) -> str:
    """Set the attendee inside, atomically; the answer for this entry scan."""
    won = db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.inside.is_(False))
        .values(inside=True, checked_in_gate=gate,
                checked_in_at=db.func.coalesce(Attendee.checked_in_at, at))
        .execution_options(synchronize_session=False)
    ).rowcount
    if won:
        return OK
    if not queued:
        # Online, the first request to arrive wins, whatever the devices' clocks say:
        # two doors must never both let one code in.
        return ALREADY_CHECKED_IN
    # A device that was offline let the person in earlier than the recorded
    # check-in: its scan takes that place; the later one becomes the duplicate.
    earlier = db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.checked_in_at > at)
        .values(checked_in_at=at, checked_in_gate=gate)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not earlier:
        return ALREADY_CHECKED_IN
    db.session.execute(
        update(CheckIn)
        .where(and_(CheckIn.attendee_id == attendee.id, CheckIn.kind == ScanKind.ENTRY,
                    CheckIn.result == OK, CheckIn.scanned_at > at))
        .values(result=DUPLICATE)
        .execution_options(synchronize_session=False)
    )
    return OK


def _mark_exit(attendee: Attendee) -> str:
    left = db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.inside.is_(True))
        .values(inside=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    return OK if left else NOT_CHECKED_IN


def check_in(
    event: Event,
    code: str,
    *,
    kind: str = ScanKind.ENTRY,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    gate: str = "",
    device: str = "",
    organizer: Organizer | None = None,
    queued: bool = False,
) -> ScanAnswer:
    """Record one scan at ``event``'s door and say what the door should show.

    ``kind`` is entry or exit. A ``nonce`` seen before returns the first answer and
    records nothing. ``scanned_at`` is when the device scanned (queued offline
    scans arrive later). Every scan is logged, unknown codes included.

    ``queued`` marks a scan a device decided on its own while offline and uploads
    now: if the person is already in, it is logged as a ``duplicate`` (the person
    was let in, but the earlier scan is the check-in), not as a refused entry.
    """
    if kind not in (ScanKind.ENTRY, ScanKind.EXIT):
        raise DomainError("bad_kind", "The type must be entry or exit.")
    if not (code or "").strip():
        raise DomainError("missing_code", "No code was given.")
    nonce = nonce or new_secret()
    if len(nonce) > CheckIn.nonce.type.length:
        raise DomainError("bad_nonce", "The nonce is too long.")
    received = now_utc()
    scanned_at = scanned_at or received
    if scanned_at.tzinfo is None:
        raise DomainError("bad_time", "scanned_at needs a time zone offset.")
    if scanned_at > received + timedelta(minutes=5):
        raise DomainError("bad_time", "scanned_at is in the future.")
    replay = _replay(nonce)
    if replay is not None:
        return replay
    attendee, elsewhere = find_attendee(event, code)
    if attendee is None:
        result = WRONG_EVENT if elsewhere else UNKNOWN_CODE
    elif kind == ScanKind.ENTRY:
        result = _mark_entry(event, attendee, scanned_at, gate, queued)
        if queued and result == ALREADY_CHECKED_IN:
            result = DUPLICATE
    else:
        result = _mark_exit(attendee)
    log = CheckIn(event_id=event.id, attendee_id=attendee.id if attendee else None,
                  kind=str(kind), code=code.strip()[:300], result=result,
                  scanned_at=scanned_at, received_at=received, gate=gate[:60],
                  device=device[:100], organizer_id=organizer.id if organizer else None,
                  nonce=nonce)
    db.session.add(log)
    try:
        db.session.commit()
    except IntegrityError:  # the same nonce arrived twice at the same moment
        db.session.rollback()
        return _replay(nonce)
    if attendee is not None:  # as the scan left them, with their card, in one query
        attendee = db.session.scalars(
            select(Attendee).options(joinedload(Attendee.person))
            .where(Attendee.id == attendee.id).execution_options(populate_existing=True)
        ).one()
    repeat = result in (ALREADY_CHECKED_IN, DUPLICATE)
    previous = _previous_entry(attendee) if attendee and repeat else None
    return ScanAnswer(result, log, attendee, previous)


def undo_check_in(event: Event, checkin_id: int) -> CheckIn:
    """Take back an entry recorded less than 15 minutes ago (a mistaken tap)."""
    log = db.session.get(CheckIn, checkin_id)
    if log is None or log.event_id != event.id:
        raise DomainError("not_found", "No such check-in.", status=404)
    if log.result != OK or log.kind != ScanKind.ENTRY or log.undone_at is not None:
        raise DomainError("not_undoable", "Only a check-in that let someone in can be undone.",
                          status=409)
    if now_utc() - log.received_at > UNDO_WINDOW:
        raise DomainError("too_late", "A check-in can be undone for 15 minutes only.",
                          status=409)
    log.undone_at = now_utc()
    attendee = db.session.get(Attendee, log.attendee_id)
    db.session.flush()
    remaining = _previous_entry(attendee)
    attendee.checked_in_at = remaining.scanned_at if remaining else None
    attendee.checked_in_gate = remaining.gate if remaining else ""
    attendee.inside = remaining is not None
    db.session.commit()
    return log
