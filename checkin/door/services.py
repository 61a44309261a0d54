"""Checking people in and out: the one function the door page, the API and the CLI call."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, insert, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from checkin.accounts.models import Organizer
from checkin.columns import now_utc
from checkin.door.codes import codes_in, same_code, ticket_url_key
from checkin.door.models import CheckIn, ScanKind, ScanResult
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.faces.models import PersonPhoto
from checkin.people.models import Attendee, Person
from checkin.tokens import new_secret
from checkin.transactions import commit_keeping_loaded

UNDO_WINDOW = timedelta(minutes=15)
# A camera sees a code held up many times a second: the same device scanning the same
# person again this soon is that one scan seen twice, not a new arrival.
REPEAT_WINDOW = timedelta(seconds=10)
# A scan time further than this from the event comes from a device whose clock is wrong.
SCAN_WINDOW = timedelta(days=1)
MAX_ATTENDEE_ID = 2**31 - 1


@dataclass(frozen=True)
class ScanCard:
    """What the answer to a scan shows of the guest's card."""

    id: int
    display_name: str
    company: str


@dataclass
class ScanGuest:
    """The guest a scan names, as its answer shows them (read like an ``Attendee`` with its
    ``person``): read with the scan, kept as the scan wrote them, so the answer needs no
    second read."""

    id: int
    event_id: int
    person: ScanCard
    card_code: str
    ticket_code: str | None
    ticket_url: str | None
    ticket_type: str
    attention_note: str
    inside: bool
    checked_in_at: datetime | None
    checked_in_gate: str
    # When they last left (an exit that let them out and was not undone).
    left_at: datetime | None
    # Their photo's key, if they have one (the door shows the face beside the name).
    photo: str | None


@dataclass(frozen=True)
class EarlierEntry:
    """The entry that makes a scan a repeat: when, and through which gate."""

    scanned_at: datetime
    gate: str


@dataclass
class ScanAnswer:
    """What the door is told. ``previous`` is the entry that made this one a repeat."""

    result: ScanResult
    checkin: CheckIn
    attendee: ScanGuest | None = None
    previous: EarlierEntry | None = None
    replayed: bool = False
    # The nonce this scan came with (a repeat's answer is an earlier scan's log row).
    nonce: str = ""

    @property
    def ok(self) -> bool:
        return self.result == ScanResult.OK


@dataclass
class _Read:
    """One guest as the scan's one read found them, with what the rules ask of their log: their
    latest entry, this device's scan of them moments ago, and an earlier scan with this nonce."""

    guest: ScanGuest
    previous: EarlierEntry | None
    repeat_id: int | None
    nonce_id: int | None


_GUEST_FIELDS = len(ScanGuest.__dataclass_fields__) + 2  # the card's three columns


def _read(row) -> _Read:
    attendee_id, event_id, person_id, name, company, *rest = row[:_GUEST_FIELDS]
    guest = ScanGuest(attendee_id, event_id, ScanCard(person_id, name, company), *rest)
    previous_at, previous_gate, repeat_id, nonce_id = row[_GUEST_FIELDS:]
    previous = EarlierEntry(previous_at, previous_gate) if previous_at is not None else None
    return _Read(guest, previous, repeat_id, nonce_id)


def _latest_entry():
    """The id of the guest's latest entry that let them in and was not undone."""
    return (select(CheckIn.id)
            .where(CheckIn.attendee_id == Attendee.id, CheckIn.kind == ScanKind.ENTRY,
                   CheckIn.result == ScanResult.OK, CheckIn.undone_at.is_(None))
            .order_by(CheckIn.scanned_at.desc()).limit(1)
            .correlate(Attendee).scalar_subquery())


@cache
def _guest_query(names: str, with_device: bool, with_nonce: bool):
    """Built once per shape (every scan runs one; building costs more than running it): the
    guests a scan may name (``names``: ``card``, ``url``, ``folded`` or ``id``, see
    :func:`_naming`), each with their card, face and latest entry, in one statement.

    With ``with_device``, the id of this device's scan of them of this kind within the
    repeat window; with ``with_nonce``, the id of this event's scan with this nonce. Every
    lookup uses an index: ticket codes and URLs are unique per event, card codes everywhere,
    a guest's log is indexed by guest and time, a nonce by event.
    """
    left_at = (select(func.max(CheckIn.scanned_at))
               .where(CheckIn.attendee_id == Attendee.id, CheckIn.kind == ScanKind.EXIT,
                      CheckIn.result == ScanResult.OK, CheckIn.undone_at.is_(None))
               .correlate(Attendee).scalar_subquery())
    repeat = null()
    if with_device:
        scanned = CheckIn.__table__.c.scanned_at.type
        repeat = (select(CheckIn.id)
                  .where(CheckIn.attendee_id == Attendee.id,  # (a guest is one event's)
                         CheckIn.device == bindparam("device"), CheckIn.kind == bindparam("kind"),
                         CheckIn.undone_at.is_(None),
                         CheckIn.scanned_at.between(bindparam("from", type_=scanned),
                                                    bindparam("to", type_=scanned)))
                  .order_by(CheckIn.scanned_at.desc()).limit(1)
                  .correlate(Attendee).scalar_subquery())
    nonce = null()
    if with_nonce:
        nonce = (select(CheckIn.id)
                 .where(CheckIn.event_id == bindparam("event"),
                        CheckIn.nonce == bindparam("nonce"))
                 .scalar_subquery())
    where, limit = _naming(names)
    latest = aliased(CheckIn)
    return (select(Attendee.id, Attendee.event_id, Person.id, Person.display_name,
                   Person.company, Attendee.card_code, Attendee.ticket_code, Attendee.ticket_url,
                   Attendee.ticket_type, Attendee.attention_note, Attendee.inside,
                   Attendee.checked_in_at, Attendee.checked_in_gate, left_at, PersonPhoto.key,
                   latest.scanned_at, latest.gate, repeat, nonce)
            .join(Person, Person.id == Attendee.person_id)
            .outerjoin(PersonPhoto, PersonPhoto.person_id == Person.id)
            .outerjoin(latest, latest.id == _latest_entry())
            .where(where).limit(limit))


def _naming(names: str):
    """The condition naming the guests a scan may mean, and how many to read at most."""
    here = Attendee.event_id == bindparam("event")
    if names == "id":
        return Attendee.id == bindparam("attendee"), 1
    if names == "folded":
        return and_(here, func.lower(Attendee.ticket_code) == bindparam("folded")), 2
    clauses = [and_(here, Attendee.ticket_code == bindparam("ticket"))]
    if "card" in names:
        clauses.append(Attendee.card_code == bindparam("card"))
    if "url" in names:
        clauses.append(and_(here, Attendee.ticket_url == bindparam("url")))
    return or_(*clauses), 20


def _reads(names: str, params: dict) -> list[_Read]:
    query = _guest_query(names, params["device"] is not None, params["nonce"] is not None)
    return [_read(row) for row in db.session.execute(query, params)]


def _find(event: Event, scanned: str, params: dict) -> tuple[_Read | None, bool]:
    """The guest of ``event`` a scanned value names, and whether it names another event's."""
    card_code, ticket_code = codes_in(scanned)
    url = ticket_url_key(scanned)
    names = "codes" + ("-card" if card_code else "") + ("-url" if url else "")
    candidates = _reads(names, {**params, "ticket": ticket_code, "card": card_code, "url": url})
    for read in candidates:
        if read.guest.event_id == event.id:
            return read, False
    if candidates:
        return None, True
    folded = _ticket_regardless_of_case(ticket_code, params)
    if folded is not None:
        return folded, False
    # Not a guest here: is it another event's ticket? (Only misses pay for this search.)
    elsewhere = db.session.scalar(
        select(Attendee.id).where(Attendee.ticket_code == ticket_code).limit(1))
    return None, elsewhere is not None


def _ticket_regardless_of_case(ticket_code: str, params: dict) -> _Read | None:
    """The one guest whose ticket code is ``ticket_code`` but for case (typed ``demo-1038``
    for ``DEMO-1038``); none when two codes differ only by case (the door then asks for a
    hand check rather than guess)."""
    if not ticket_code:
        return None
    found = _reads("folded", {**params, "folded": ticket_code.lower()})
    return found[0] if len(found) == 1 else None


def _picked(event: Event, attendee_id: int, params: dict) -> _Read | None:
    """The guest of ``event`` staff picked from a search (the door keeps no card codes)."""
    if isinstance(attendee_id, bool) or not isinstance(attendee_id, int) \
            or not 1 <= attendee_id <= MAX_ATTENDEE_ID:
        raise DomainError("bad_attendee", _l("attendee must be an attendee id."))
    found = _reads("id", {**params, "attendee": attendee_id})
    return found[0] if found and found[0].guest.event_id == event.id else None


def _previous_entry(attendee_id: int) -> EarlierEntry | None:
    found = db.session.execute(_previous_entry_query(), {"attendee": attendee_id}).first()
    return EarlierEntry(*found) if found else None


@cache
def _previous_entry_query():
    """Built once: the latest entry that let ``attendee`` in and was not undone."""
    return (select(CheckIn.scanned_at, CheckIn.gate)
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
    result = ScanResult(earlier.result)
    if not earlier.attendee_id:
        return ScanAnswer(result, earlier, replayed=True, nonce=nonce)
    read = _reads("id", {"event": event.id, "attendee": earlier.attendee_id,
                         "device": None, "nonce": None})[0]
    previous = read.previous if result != ScanResult.OK else None
    return ScanAnswer(result, earlier, read.guest, previous, replayed=True, nonce=nonce)


def _repeat(read: _Read, nonce: str) -> ScanAnswer:
    """The answer this device got for this person moments ago (timed by the scan times, so a
    queued scan sent again meets the same earlier scan)."""
    earlier = db.session.get(CheckIn, read.repeat_id)
    result = ScanResult(earlier.result)
    previous = read.previous if result != ScanResult.OK else None
    return ScanAnswer(result, earlier, read.guest, previous, replayed=True, nonce=nonce)


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


def _mark_entry(guest: ScanGuest, at: datetime, gate: str, queued: bool = False) -> ScanResult:
    """Set the guest inside, atomically; the answer for this entry scan.

    ``guest`` was just read in this transaction: one already inside is answered without
    a write (any later exit is a later scan). The conditional UPDATE decides the rest, and
    returns what it wrote, so the answer needs no second read.
    """
    if guest.inside and not queued:
        return ScanResult.ALREADY_CHECKED_IN
    won = db.session.execute(_entry_update(), {"attendee": guest.id, "gate_": gate,
                                               "at": at}).first()
    if won is not None:
        guest.inside = True
        guest.checked_in_at, guest.checked_in_gate = won
        return ScanResult.OK
    if not queued:
        # Online, the first request to arrive wins, whatever the devices' clocks say:
        # two doors must never both let one code in.
        return ScanResult.ALREADY_CHECKED_IN
    # A device that was offline let the person in earlier than the recorded
    # check-in: its scan takes that place; the later one becomes the duplicate.
    attendees, checkins = Attendee.__table__, CheckIn.__table__
    earlier = db.session.execute(
        update(attendees)
        .where(attendees.c.id == guest.id, attendees.c.checked_in_at > at)
        .values(checked_in_at=at, checked_in_gate=gate)
        .returning(attendees.c.checked_in_at, attendees.c.checked_in_gate)).first()
    if earlier is None:
        return ScanResult.ALREADY_CHECKED_IN
    guest.checked_in_at, guest.checked_in_gate = earlier
    db.session.execute(
        update(checkins)
        .where(checkins.c.attendee_id == guest.id, checkins.c.kind == ScanKind.ENTRY,
               checkins.c.result == ScanResult.OK, checkins.c.scanned_at > at)
        .values(result=ScanResult.DUPLICATE))
    return ScanResult.OK


@cache
def _entry_update():
    """Built once (every first entry runs it): inside, through this gate, at the first entry's
    time, only if not inside already; it returns what it kept. A plain table statement: the
    ORM has nothing to synchronise (the answer is built from what it returns)."""
    attendees = Attendee.__table__
    return (update(attendees)
            .where(attendees.c.id == bindparam("attendee"), attendees.c.inside.is_(False))
            .values(inside=True, checked_in_gate=bindparam("gate_"),
                    checked_in_at=func.coalesce(
                        attendees.c.checked_in_at,
                        bindparam("at", type_=attendees.c.checked_in_at.type)))
            .returning(attendees.c.checked_in_at, attendees.c.checked_in_gate))


@cache
def _exit_update():
    """Built once: outside, only if inside (the row count says whether this scan let them out)."""
    attendees = Attendee.__table__
    return (update(attendees)
            .where(attendees.c.id == bindparam("attendee"), attendees.c.inside.is_(True))
            .values(inside=False))


def _mark_exit(guest: ScanGuest, at: datetime) -> ScanResult:
    if not db.session.execute(_exit_update(), {"attendee": guest.id}).rowcount:
        return ScanResult.NOT_CHECKED_IN
    guest.inside = False
    guest.left_at = at if guest.left_at is None else max(guest.left_at, at)
    return ScanResult.OK


@cache
def _log_insert():
    """Built once (every scan runs it): the log row, returned as stored (each column's
    cleaning and time zone applied), so the answer shows what a later read would."""
    checkins = CheckIn.__table__
    return insert(checkins).returning(*checkins.c)


def _logged(row) -> CheckIn:
    """The log row just written, as a loaded object of the session (a caller may change it)."""
    log = CheckIn(**row._mapping)
    make_transient_to_detached(log)
    db.session.add(log)
    return log


def _keep_loaded(guest: ScanGuest) -> None:
    """A loaded copy of the guest's row (a door's queue may scan one person twice in one
    request) is kept as the scan wrote it: the statements above bypass the ORM."""
    loaded = db.session.identity_map.get(identity_key(Attendee, guest.id))
    if loaded is not None:
        for name in ("inside", "checked_in_at", "checked_in_gate"):
            set_committed_value(loaded, name, getattr(guest, name))


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
    organizer_id: int | None = None,
    queued: bool = False,
) -> ScanAnswer:
    """Record one scan at ``event``'s door and say what the door should show.

    The scan names its person by ``code`` (what was scanned or typed) or, picked
    from a search at the door, by ``attendee_id``. ``kind`` is entry or exit. A
    ``nonce`` seen before at this event returns the first answer and records
    nothing; the same nonce with another code is refused. ``scanned_at`` is when
    the device scanned (queued offline scans arrive later); a time more than a
    day away from the event is refused. Every scan is logged, unknown codes included,
    with who scanned (``organizer``, or only their ``organizer_id``).

    ``queued`` marks a scan a device decided on its own while offline and uploads
    now: if the person is already in, it is logged as a ``duplicate`` (the person
    was let in, but the earlier scan is the check-in), not as a refused entry.

    ``event`` is read for its id, start and end only. The guest, their latest entry, the
    device's repeat and the nonce come from one read; the entry is one conditional UPDATE
    and the log row one INSERT, each returning what it stored, so nothing is read again.
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
    kind, gate, device = str(kind), gate[:60], device[:100]
    params = {"event": event.id, "nonce": nonce, "device": device or None, "kind": kind,
              "from": scanned_at - REPEAT_WINDOW, "to": scanned_at + REPEAT_WINDOW}
    if attendee_id is not None:
        read, elsewhere = _picked(event, attendee_id, params), False
    else:
        read, elsewhere = _find(event, code, params)
    if read is not None and read.nonce_id is not None:
        return _replay(event, nonce, code, kind, attendee_id)
    if read is not None and read.repeat_id is not None:
        return _repeat(read, nonce or "")
    # Without a nonce one is made here: no earlier scan can hold it. (A nonce seen before
    # with a code that names nobody here meets the unique constraint below.)
    nonce = nonce or new_secret()
    guest = read.guest if read else None
    read_inside = guest is not None and guest.inside
    if guest is None:
        result = ScanResult.WRONG_EVENT if elsewhere else ScanResult.UNKNOWN_CODE
    elif kind == ScanKind.ENTRY:
        result = _mark_entry(guest, scanned_at, gate, queued)
        if queued and result == ScanResult.ALREADY_CHECKED_IN:
            result = ScanResult.DUPLICATE
    else:
        result = _mark_exit(guest, scanned_at)
    if organizer_id is None and organizer is not None:
        organizer_id = organizer.id
    try:
        row = db.session.execute(_log_insert(), {
            "event_id": event.id, "attendee_id": guest.id if guest else None, "kind": kind,
            "code": code, "result": result.value, "scanned_at": scanned_at,
            "received_at": received, "gate": gate, "device": device,
            "organizer_id": organizer_id, "nonce": nonce, "undone_at": None}).one()
        # The answer is made of what this transaction read and wrote: nothing to read again.
        commit_keeping_loaded()
    except IntegrityError:  # the same nonce arrived twice at the same moment, or before
        db.session.rollback()
        return _replay(event, nonce, code, kind, attendee_id)
    log = _logged(row)
    previous = None
    if guest is not None:
        _keep_loaded(guest)
        if result in (ScanResult.ALREADY_CHECKED_IN, ScanResult.DUPLICATE):
            # The read's latest entry, unless another door let them in since it read.
            previous = read.previous if read_inside else _previous_entry(guest.id)
    return ScanAnswer(result, log, guest, previous, nonce=nonce)


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
    remaining = _previous_entry(attendee.id)
    attendee.checked_in_at = remaining.scanned_at if remaining else None
    attendee.checked_in_gate = remaining.gate if remaining else ""
    attendee.inside = remaining is not None
    db.session.commit()
    return log
