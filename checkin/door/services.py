"""Checking people in and out: the one function the door page, the API and the CLI call."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from checkin.accounts.models import Organizer
from checkin.accounts.services import (
    TOKEN_AND_EVENT_COLUMNS,
    EventAtDoor,
    token_and_event_for,
    token_and_event_from,
    token_and_event_params,
    token_and_event_query,
)
from checkin.columns import now_utc
from checkin.door.codes import codes_in, same_code, ticket_url_key
from checkin.door.models import CheckIn, ScanKind, ScanResult
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.faces.models import PersonPhoto
from checkin.people.models import Attendee, Person
from checkin.tokens import new_secret
from checkin.transactions import ALONE, commit_keeping_loaded

UNDO_WINDOW = timedelta(minutes=15)
# A camera sees a code held up many times a second: the same device scanning the same
# person again this soon is that one scan seen twice, not a new arrival.
REPEAT_WINDOW = timedelta(seconds=10)
# A scan time further than this from the event comes from a device whose clock is wrong.
SCAN_WINDOW = timedelta(days=1)
MAX_ATTENDEE_ID = 2**31 - 1
# The longest code and nonce the log keeps (read once: every scan checks them).
CODE_LENGTH = CheckIn.__table__.c.code.type.length
NONCE_LENGTH = CheckIn.__table__.c.nonce.type.length


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


@dataclass(frozen=True)
class ScanLog:
    """One scan of the log as stored, read like a ``CheckIn`` (a plain record: a check-in
    answers without building an object of the session)."""

    id: int
    event_id: int
    attendee_id: int | None
    kind: str
    code: str
    result: str
    scanned_at: datetime
    received_at: datetime
    gate: str
    device: str
    organizer_id: int | None
    nonce: str
    undone_at: datetime | None


LOG_COLUMNS = tuple(ScanLog.__dataclass_fields__)


@dataclass
class ScanAnswer:
    """What the door is told. ``previous`` is the entry that made this one a repeat."""

    result: ScanResult
    log: ScanLog
    attendee: ScanGuest | None = None
    previous: EarlierEntry | None = None
    replayed: bool = False
    # The nonce this scan came with (a repeat's answer is an earlier scan's log row).
    nonce: str = ""
    _checkin: CheckIn | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.result == ScanResult.OK

    @property
    def checkin(self) -> CheckIn:
        """The log row as a loaded object of the session, made when first asked for (a caller
        may change it and commit); the answer itself needs only ``log``."""
        if self._checkin is None:
            self._checkin = _loaded(self.log)
        return self._checkin


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
def _guest_query(names: str, with_device: bool, with_nonce: bool, held_roles: int = 0):
    """Built once per shape (every scan runs one; building costs more than running it): the
    guests a scan may name (``names``: ``card``, ``url``, ``folded`` or ``id``, see
    :func:`_naming`), each with their card, face and latest entry, in one statement.

    With ``with_device``, the id of this device's scan of them of this kind within the
    repeat window; with ``with_nonce``, the id of this event's scan with this nonce. Every
    lookup uses an index: ticket codes and URLs are unique per event, card codes everywhere,
    a guest's log is indexed by guest and time, a nonce by event.

    With ``held_roles`` (a scan sent with an API token, :func:`check_in_with_token`), the
    statement is the token's with its event and role (``token_and_event_query``) and the
    guests of that event joined to it: each row the token's columns then a guest's, one row
    with no guest when the code names nobody, none when the token is not a valid one.
    """
    event = Event.__table__.c.id if held_roles else bindparam("event")
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
                 .where(CheckIn.event_id == event, CheckIn.nonce == bindparam("nonce"))
                 .scalar_subquery())
    where, limit = _naming(names, event)
    latest = aliased(CheckIn)
    columns = (Attendee.id, Attendee.event_id, Person.id, Person.display_name, Person.company,
               Attendee.card_code, Attendee.ticket_code, Attendee.ticket_url,
               Attendee.ticket_type, Attendee.attention_note, Attendee.inside,
               Attendee.checked_in_at, Attendee.checked_in_gate, left_at, PersonPhoto.key,
               latest.scanned_at, latest.gate, repeat, nonce)
    if held_roles:
        # Every guest's part is outer-joined: a code that names nobody still reads the token.
        return (token_and_event_query(held_roles).add_columns(*columns)
                .outerjoin(Attendee, where)
                .outerjoin(Person, Person.id == Attendee.person_id)
                .outerjoin(PersonPhoto, PersonPhoto.person_id == Person.id)
                .outerjoin(latest, latest.id == _latest_entry())
                .limit(limit))
    return (select(*columns)
            .join(Person, Person.id == Attendee.person_id)
            .outerjoin(PersonPhoto, PersonPhoto.person_id == Person.id)
            .outerjoin(latest, latest.id == _latest_entry())
            .where(where).limit(limit))


def _naming(names: str, event):
    """The condition naming the guests a scan may mean (of ``event``, a bound id or the
    token's event's column), and how many to read at most."""
    here = Attendee.event_id == event
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


def _run(statement, params: dict):
    """``statement`` (built once) on the session's connection: a check-in's statements are
    plain table statements, with nothing for the ORM session to do on their way."""
    return db.session.connection().execute(statement, params)


def _reads(names: str, params: dict) -> list[_Read]:
    query = _guest_query(names, params["device"] is not None, params["nonce"] is not None)
    return [_read(row) for row in _run(query, params)]


def _names(scanned: str) -> tuple[str, dict]:
    """How the guest query names the guests a scanned value may mean, and with what."""
    card_code, ticket_code = codes_in(scanned)
    url = ticket_url_key(scanned)
    names = "codes" + ("-card" if card_code else "") + ("-url" if url else "")
    return names, {"ticket": ticket_code, "card": card_code, "url": url}


def _find(event: Event, scanned: str, params: dict) -> tuple[_Read | None, bool]:
    """The guest of ``event`` a scanned value names, and whether it names another event's."""
    names, naming = _names(scanned)
    params = {**params, **naming}
    return _chosen(event, _reads(names, params), params)


def _chosen(event: Event, candidates: list[_Read], params: dict) -> tuple[_Read | None, bool]:
    """Of the guests a scanned value may mean (read by code, card code and URL), the one of
    ``event``, and whether it names another event's guest instead."""
    for read in candidates:
        if read.guest.event_id == event.id:
            return read, False
    if candidates:
        return None, True
    ticket_code = params["ticket"]
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
    found = _run(_previous_entry_query(), {"attendee": attendee_id}).first()
    return EarlierEntry(*found) if found else None


@cache
def _previous_entry_query():
    """Built once: the latest entry that let ``attendee`` in and was not undone."""
    checkins = CheckIn.__table__
    return (select(checkins.c.scanned_at, checkins.c.gate)
            .where(checkins.c.attendee_id == bindparam("attendee"),
                   checkins.c.kind == ScanKind.ENTRY, checkins.c.result == ScanResult.OK,
                   checkins.c.undone_at.is_(None))
            .order_by(checkins.c.scanned_at.desc())
            .limit(1))


@cache
def _log_query(by: str):
    """Built once per way of naming it: one scan of the log, by ``id`` or by ``nonce`` (at
    ``event``)."""
    checkins = CheckIn.__table__
    query = select(*(checkins.c[name] for name in LOG_COLUMNS))
    if by == "id":
        return query.where(checkins.c.id == bindparam("id"))
    return query.where(checkins.c.event_id == bindparam("event"),
                       checkins.c.nonce == bindparam("nonce"))


def _replay(event: Event, nonce: str, code: str, kind: str,
            attendee_id: int | None) -> ScanAnswer | None:
    """The first answer to this nonce at this event, if it was seen; refused for another scan."""
    found = _run(_log_query("nonce"), {"event": event.id, "nonce": nonce}).first()
    if found is None:
        return None
    earlier = ScanLog(*found)
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
    earlier = ScanLog(*_run(_log_query("id"), {"id": read.repeat_id}).one())
    result = ScanResult(earlier.result)
    previous = read.previous if result != ScanResult.OK else None
    return ScanAnswer(result, earlier, read.guest, previous, replayed=True, nonce=nonce)


def _device_time(scanned_at: datetime | None, received: datetime) -> datetime:
    """When the scan happened: the device's time if it is believable, else a refusal (whether
    it is near the event is :func:`_within_event`'s to say)."""
    if scanned_at is None:
        return received
    if scanned_at.tzinfo is None:
        raise DomainError("bad_time", _l("The scan time needs a time zone offset."))
    if scanned_at > received + timedelta(minutes=5):
        raise DomainError("bad_time", _l("The scan time is in the future."))
    return scanned_at


def _within_event(event: Event, scan: "_Scan") -> None:
    """A time the device gave more than a day away from the event is a refusal."""
    if scan.timed_by_device and \
            not event.starts_at - SCAN_WINDOW <= scan.at <= event.ends_at + SCAN_WINDOW:
        raise DomainError("scan_outside_event", _l("The scan's time is more than a day away "
                                                    "from the event: check the device's clock."),
                          field="scanned_at")


# What a scan that changes nothing answers: an entry of someone inside, an exit of someone out.
_UNCHANGED = {ScanKind.ENTRY: ScanResult.ALREADY_CHECKED_IN,
              ScanKind.EXIT: ScanResult.NOT_CHECKED_IN}


@cache
def _change(kind: str):
    """Built once per kind: the guest's conditional change, returning what it kept. An entry
    sets them inside, through this gate, at the first entry's time, only if not inside
    already; an exit sets them outside, only if inside. Two doors can never both win it."""
    attendees = Attendee.__table__
    if kind == ScanKind.EXIT:
        change = (update(attendees)
                  .where(attendees.c.id == bindparam("attendee"), attendees.c.inside.is_(True))
                  .values(inside=False))
    else:
        change = (update(attendees)
                  .where(attendees.c.id == bindparam("attendee"), attendees.c.inside.is_(False))
                  .values(inside=True, checked_in_gate=bindparam("gate_"),
                          checked_in_at=func.coalesce(
                              attendees.c.checked_in_at,
                              bindparam("at", type_=attendees.c.checked_in_at.type))))
    return change.returning(attendees.c.checked_in_at, attendees.c.checked_in_gate)


@cache
def _log_insert():
    """Built once (every scan runs it): the log row, returned as stored (each column's
    cleaning and time zone applied), so the answer shows what a later read would. On its own
    it is the scan's whole write, so on PostgreSQL it may run alone (one round trip, see
    ``checkin.transactions.write_alone``); after the queue's earlier-entry writes it joins
    their transaction."""
    checkins = CheckIn.__table__
    return (insert(checkins).returning(*(checkins.c[name] for name in LOG_COLUMNS))
            .execution_options(**{ALONE: True}))


@cache
def _change_with_log(kind: str):
    """PostgreSQL, built once per kind: :func:`_change` and the log row in one statement
    (``WITH changed AS (UPDATE … RETURNING …) INSERT INTO checkins … SELECT …``), whose result
    is ok if the change won. One statement is atomic on its own: it runs alone, one round trip
    where BEGIN, UPDATE, INSERT and COMMIT were four, and the event's figures row, which the
    triggers write, stays locked for that statement only. It returns the log row, then what
    the change kept (nulls if it did not win)."""
    checkins = CheckIn.__table__
    changed = _change(kind).cte("changed")
    won = exists(select(changed.c.checked_in_at))
    names = [name for name in LOG_COLUMNS if name != "id"]
    # The row's values are bound under names of their own: a bound name that is also a
    # column's would be set by the UPDATE too.
    values = [case((won, literal(ScanResult.OK.value)),
                   else_=literal(_UNCHANGED[kind].value)) if name == "result"
              else bindparam(f"log_{name}", type_=checkins.c[name].type) for name in names]
    return (insert(checkins).from_select(names, select(*values)).add_cte(changed)
            .returning(*(checkins.c[name] for name in LOG_COLUMNS),
                       select(changed.c.checked_in_at).scalar_subquery(),
                       select(changed.c.checked_in_gate).scalar_subquery())
            .execution_options(**{ALONE: True}))


def _logged(values: dict, result: ScanResult) -> ScanLog:
    return ScanLog(*_run(_log_insert(), {**values, "result": result.value}).one())


def _changed_and_logged(guest: ScanGuest, values: dict) -> ScanLog:
    """The guest's conditional change (:func:`_change`) and the scan's log row, atomically:
    one statement on PostgreSQL, the change then the row in one transaction on SQLite (which
    has no data-modifying WITH). The guest is kept as the change left them."""
    kind, at = values["kind"], values["scanned_at"]
    change = {"attendee": guest.id, "gate_": values["gate"], "at": at}
    if db.session.connection().dialect.name == "postgresql":
        logged = {f"log_{name}": value for name, value in values.items()}
        row = _run(_change_with_log(kind), {**change, **logged}).one()
        log, kept = ScanLog(*row[:len(LOG_COLUMNS)]), row[len(LOG_COLUMNS):]
    else:
        kept = _run(_change(kind), change).first()
        log = _logged(values, ScanResult.OK if kept is not None else _UNCHANGED[kind])
    if log.result == ScanResult.OK:
        guest.inside = kind == ScanKind.ENTRY
        if guest.inside:
            guest.checked_in_at, guest.checked_in_gate = kept
        else:
            guest.left_at = at if guest.left_at is None else max(guest.left_at, at)
    return log


@cache
def _earlier_entry():
    """Built once: a queued entry that let the guest in before their recorded check-in takes
    its place (the guest's check-in moves to it, returning what it kept), and the entries
    after it that let them in become duplicates."""
    attendees, checkins = Attendee.__table__, CheckIn.__table__
    at = bindparam("at", type_=attendees.c.checked_in_at.type)
    moved = (update(attendees)
             .where(attendees.c.id == bindparam("attendee"), attendees.c.checked_in_at > at)
             .values(checked_in_at=at, checked_in_gate=bindparam("gate_"))
             .returning(attendees.c.checked_in_at, attendees.c.checked_in_gate))
    later = (update(checkins)
             .where(checkins.c.attendee_id == bindparam("attendee"),
                    checkins.c.kind == ScanKind.ENTRY, checkins.c.result == ScanResult.OK,
                    checkins.c.scanned_at > bindparam("at", type_=checkins.c.scanned_at.type))
             .values(result=ScanResult.DUPLICATE))
    return moved, later


def _queued_entry(guest: ScanGuest, at: datetime, gate: str) -> ScanResult:
    """The result of an entry a device decided on its own while offline: it lets the guest
    in if they are not inside; if it let them in earlier than the recorded check-in, its scan
    takes that place and the later one becomes the duplicate; else it is the duplicate."""
    change = {"attendee": guest.id, "gate_": gate, "at": at}
    won = _run(_change(ScanKind.ENTRY), change).first()
    if won is not None:
        guest.inside = True
        guest.checked_in_at, guest.checked_in_gate = won
        return ScanResult.OK
    moved, later = _earlier_entry()
    earlier = _run(moved, change).first()
    if earlier is None:
        return ScanResult.DUPLICATE
    guest.checked_in_at, guest.checked_in_gate = earlier
    _run(later, {"attendee": guest.id, "at": at})
    return ScanResult.OK


def _record(guest: ScanGuest | None, elsewhere: bool, queued: bool, values: dict) -> ScanLog:
    """The scan's writes: the guest's change, if the scan makes one, and its log row."""
    if guest is None:
        return _logged(values, ScanResult.WRONG_EVENT if elsewhere else ScanResult.UNKNOWN_CODE)
    if values["kind"] == ScanKind.ENTRY and queued:
        return _logged(values, _queued_entry(guest, values["scanned_at"], values["gate"]))
    if values["kind"] == ScanKind.ENTRY and guest.inside:
        # Read just now: someone inside is answered without a change (any later exit is a
        # later scan). Online, the first request to arrive wins, whatever the devices' clocks
        # say: two doors must never both let one code in.
        return _logged(values, ScanResult.ALREADY_CHECKED_IN)
    return _changed_and_logged(guest, values)


def _loaded(log: ScanLog) -> CheckIn:
    """The scan's log row as a loaded object of the session (the one it holds, if any)."""
    loaded = db.session.identity_map.get(identity_key(CheckIn, log.id))
    if loaded is not None:
        return loaded
    checkin = CheckIn(**{name: getattr(log, name) for name in LOG_COLUMNS})
    make_transient_to_detached(checkin)
    db.session.add(checkin)
    return checkin


def _keep_loaded(guest: ScanGuest) -> None:
    """A loaded copy of the guest's row (a door's queue may scan one person twice in one
    request) is kept as the scan wrote it: the statements above bypass the ORM."""
    loaded = db.session.identity_map.get(identity_key(Attendee, guest.id))
    if loaded is not None:
        for name in ("inside", "checked_in_at", "checked_in_gate"):
            set_committed_value(loaded, name, getattr(guest, name))


@dataclass
class _Scan:
    """One scan's values, checked on their own (before its event is known)."""

    code: str
    attendee_id: int | None
    kind: str
    nonce: str | None
    at: datetime
    received: datetime
    timed_by_device: bool
    gate: str
    device: str
    queued: bool

    @classmethod
    def checked(cls, code: str, attendee_id: int | None, kind: str, nonce: str | None,
                scanned_at: datetime | None, gate: str, device: str, queued: bool) -> "_Scan":
        if kind not in (ScanKind.ENTRY, ScanKind.EXIT):
            raise DomainError("bad_kind", _l("The type must be entry or exit."))
        code = (code or "").strip()[:CODE_LENGTH]
        if not code and attendee_id is None:
            raise DomainError("missing_code", _l("No code was given."))
        nonce = nonce or None
        if nonce is not None and len(nonce) > NONCE_LENGTH:
            raise DomainError("bad_nonce", _l("The nonce is too long."))
        received = now_utc()
        at = _device_time(scanned_at, received)
        return cls(code, attendee_id, str(kind), nonce, at, received, scanned_at is not None,
                   gate[:60], device[:100], queued)

    def params(self, event_id: int | None = None) -> dict:
        """What the guest query runs with (the event's id, unless the query reads it)."""
        return {"event": event_id, "nonce": self.nonce, "device": self.device or None,
                "kind": self.kind, "from": self.at - REPEAT_WINDOW, "to": self.at + REPEAT_WINDOW}


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
    device's repeat and the nonce come from one read; the entry (or exit) and the log row are
    one statement on PostgreSQL (two on SQLite), returning what they stored, so nothing is
    read again and no object of the session is built (``ScanAnswer.checkin`` makes one when
    asked).
    """
    scan = _Scan.checked(code, attendee_id, kind, nonce, scanned_at, gate, device, queued)
    _within_event(event, scan)
    params = scan.params(event.id)
    if attendee_id is not None:
        read, elsewhere = _picked(event, attendee_id, params), False
    else:
        read, elsewhere = _find(event, scan.code, params)
    if organizer_id is None and organizer is not None:
        organizer_id = organizer.id
    return _answered(event, scan, read, elsewhere, organizer_id)


@dataclass(frozen=True)
class TokenScan:
    """A scan sent with an API token: its answer, and who sent it for which event."""

    answer: ScanAnswer
    organizer_id: int
    event: EventAtDoor
    role: str


def check_in_with_token(secret: str, slug: str, roles, code: str, *,
                        kind: str = ScanKind.ENTRY, nonce: str | None = None,
                        scanned_at: datetime | None = None, gate: str = "",
                        device: str = "") -> TokenScan | None:
    """:func:`check_in` of a scan sent with an API token, for the event ``slug``, by whoever
    holds one of ``roles`` there: the token, its event and role, and the guests the code may
    name are one read (a door scanning all evening pays for one statement fewer per scan).

    The refusals are :func:`token_and_event_for`'s, in its order: None for a token that is not
    a valid one (unknown, revoked), whatever else is wrong with the scan; then the 404 of an
    event that is not theirs; then the scan's own refusals.
    """
    try:
        scan = _Scan.checked(code, None, kind, nonce, scanned_at, gate, device, False)
    except DomainError:
        if token_and_event_for(secret, slug, roles) is None:
            return None
        raise
    names, naming = _names(scan.code)
    params = {**scan.params(), **naming, **token_and_event_params(secret, slug, roles)}
    query = _guest_query(names, scan.device != "", scan.nonce is not None, len(roles))
    rows = _run(query, params).all()
    if not rows:
        return None
    organizer_id, event, role = token_and_event_from(rows[0])
    _within_event(event, scan)
    candidates = [_read(row[TOKEN_AND_EVENT_COLUMNS:]) for row in rows
                  if row[TOKEN_AND_EVENT_COLUMNS] is not None]
    read, elsewhere = _chosen(event, candidates, {**params, "event": event.id})
    return TokenScan(_answered(event, scan, read, elsewhere, organizer_id),
                     organizer_id, event, role)


def _answered(event: Event, scan: _Scan, read: _Read | None, elsewhere: bool,
              organizer_id: int | None) -> ScanAnswer:
    """The scan's outcome, given what its read found, written and committed: a replayed
    nonce or this device's repeat answers as it was first answered; any other scan is
    logged, with the guest's change if it makes one."""
    code, kind, attendee_id = scan.code, scan.kind, scan.attendee_id
    if read is not None and read.nonce_id is not None:
        return _replay(event, scan.nonce, code, kind, attendee_id)
    if read is not None and read.repeat_id is not None:
        return _repeat(read, scan.nonce or "")
    # Without a nonce one is made here: no earlier scan can hold it. (A nonce seen before
    # with a code that names nobody here meets the unique constraint below.)
    nonce = scan.nonce or new_secret()
    guest = read.guest if read else None
    read_inside = guest is not None and guest.inside
    values = {"event_id": event.id, "attendee_id": guest.id if guest else None, "kind": kind,
              "code": code, "scanned_at": scan.at, "received_at": scan.received,
              "gate": scan.gate, "device": scan.device, "organizer_id": organizer_id,
              "nonce": nonce, "undone_at": None}
    try:
        log = _record(guest, elsewhere, scan.queued, values)
        # The answer is made of what this transaction read and wrote: nothing to read again.
        commit_keeping_loaded()
    except IntegrityError:  # the same nonce arrived twice at the same moment, or before
        db.session.rollback()
        return _replay(event, nonce, code, kind, attendee_id)
    result, previous = ScanResult(log.result), None
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
