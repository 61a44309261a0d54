"""Asking to meet, and answering: every state change of a request, one function per use case.

The rules that keep it human (README, "Requests to meet"):

- one request per person asked, per event, ever: declined, ignored or expired, it is not
  asked again;
- at most ``MAX_OPEN`` open at once and ``MAX_PER_DAY`` in 24 hours, and no faster than
  ``ASK_PACE``;
- never to someone who turned requests off, nor between two people one of whom removed the
  other;
- a request not accepted within ``LIFETIME`` expires. A declined one is open to the asker
  until then (it counts against their open requests and reads "pending"), so no freed slot
  and no word ever tells them "declined";
- asking works from the event's start page to ``ASKING_AFTER_EVENT`` after its end (the
  follow-up's link included): accepting connects even once the event is closed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from checkin.columns import now_utc
from checkin.connections.models import Connection, Via
from checkin.connections.services import (
    check_same_event,
    connect_attendees,
    connection_between,
    person_removed,
)
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.meeting_requests.models import MESSAGE_LENGTH, MeetingRequest, RequestState
from checkin.people.models import Attendee
from checkin.ratelimit import allow
from checkin.text import clean_text
from checkin.transactions import lock_event_for_writing

MAX_OPEN = 5
MAX_PER_DAY = 10
LIFETIME = timedelta(days=7)
ASKING_AFTER_EVENT = timedelta(days=30)
# A person writes a request in a minute at best; a script would send hundreds.
ASK_PACE = ((3, timedelta(minutes=1)), (MAX_PER_DAY, timedelta(hours=1)))
PAGE_SIZE = 50


@dataclass
class Asked:
    """What asking did: the request made, or (they had asked me first) the connection."""

    request: MeetingRequest
    connection: Connection | None = None


def open_now(now: datetime | None = None):
    """The SQL condition of a request still open: not answered yes, not past its expiry."""
    now = now or now_utc()
    return and_(MeetingRequest.state.in_((RequestState.PENDING.value,
                                          RequestState.DECLINED.value)),
                MeetingRequest.expires_at > now)


def asking_ends_at(attendee: Attendee) -> datetime:
    return attendee.event.ends_at + ASKING_AFTER_EVENT


def request_between(asker: Attendee, target: Attendee) -> MeetingRequest | None:
    return db.session.scalar(select(MeetingRequest).filter_by(asker_id=asker.id,
                                                              target_id=target.id))


def asked_here(asker: Attendee) -> set[int]:
    """The attendees ``asker`` asked to meet at their event, whatever became of it: they are
    not offered again (a request is one per person and event), and treating them all alike
    tells nothing of how each answered."""
    return set(db.session.scalars(select(MeetingRequest.target_id).where(
        MeetingRequest.asker_id == asker.id)))


def why_not_ask(asker: Attendee, target: Attendee) -> DomainError | None:
    """The refusal ``asker`` would get asking ``target`` now (before any limit is counted),
    or None: pages show the Ask button only where this is None."""
    try:
        check_same_event(asker, target)
    except DomainError as error:
        return error
    name = target.person.display_name
    if now_utc() >= asking_ends_at(asker):
        return DomainError("asking_closed", _l(
            "Requests to meet for this event are over."), status=409)
    if connection_between(asker, target) is not None:
        return DomainError("already_connected", _l(
            "You and %(name)s are already connected.", name=name), status=409)
    if request_between(asker, target) is not None:
        return DomainError("already_asked", _l(
            "You already asked to meet %(name)s at this event.", name=name), status=409)
    pending_for_me = request_between(target, asker)
    if pending_for_me is not None and pending_for_me.state == RequestState.PENDING \
            and pending_for_me.expires_at > now_utc():
        return None  # asking back is accepting: their choice is made, and now mine
    if not target.person.accepts_requests or person_removed(
            asker.person_id, target.person_id, either_way=True):
        # One answer for both: someone who removed me is not told apart from someone who
        # takes no requests.
        return DomainError("not_taking_requests", _l(
            "%(name)s does not take requests to meet.", name=name), status=403)
    return None


def ask_to_meet(asker: Attendee, target: Attendee, message: str = "") -> Asked:
    """``asker`` asks to meet ``target`` with one optional line: the request is made and its
    email to ``target`` (their language, my public card) goes in the outbox. If ``target``
    had already asked ``asker``, this accepts theirs: we are connected. Commits.
    """
    message = clean_text(message or "", single_line=True)
    if len(message) > MESSAGE_LENGTH:
        raise DomainError("message_too_long", _l(
            "One line: at most %(limit)d characters.", limit=MESSAGE_LENGTH), field="message")
    refusal = why_not_ask(asker, target)
    if refusal is not None:
        raise refusal
    for limit, per in ASK_PACE:  # each commits its own small transaction: before the lock
        if not allow(f"ask:{asker.id}:{int(per.total_seconds())}", limit, per):
            raise DomainError("asking_too_fast", _l(
                "You are asking faster than people meet. Wait a little, then try again."),
                status=429)
    # From here to the commit, nobody else writes this event's requests: two taps at once
    # cannot both pass the caps.
    lock_event_for_writing(asker.event_id)
    expire_overdue(asker.event_id)
    theirs = request_between(target, asker)
    if theirs is not None and theirs.state == RequestState.PENDING \
            and theirs.expires_at > now_utc():
        connection = _accept(theirs)
        db.session.commit()
        return Asked(theirs, connection)
    _check_caps(asker)
    now = now_utc()
    request = MeetingRequest(event_id=asker.event_id, asker_id=asker.id, target_id=target.id,
                             message=message, created_at=now, expires_at=now + LIFETIME)
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError as error:  # the same request from a second tab, a moment earlier
        db.session.rollback()
        raise DomainError("already_asked", _l(
            "You already asked to meet %(name)s at this event.",
            name=target.person.display_name), status=409) from error
    from checkin.meeting_requests.mail import add_request_email

    add_request_email(request)
    db.session.commit()
    return Asked(request)


def _check_caps(asker: Attendee) -> None:
    now = now_utc()
    mine = MeetingRequest.asker_id == asker.id
    open_count = db.session.scalar(select(func.count()).select_from(MeetingRequest)
                                   .where(mine, open_now(now)))
    if open_count >= MAX_OPEN:
        raise DomainError("too_many_open", _l(
            "You have %(limit)d requests waiting for an answer: wait for one before asking "
            "someone else.", limit=MAX_OPEN), status=429)
    # Per person, across the community's events: the daily cap is about one human's day.
    today = db.session.scalar(
        select(func.count()).select_from(MeetingRequest)
        .join(Attendee, Attendee.id == MeetingRequest.asker_id)
        .where(Attendee.person_id == asker.person_id,
               MeetingRequest.created_at > now - timedelta(days=1)))
    if today >= MAX_PER_DAY:
        raise DomainError("daily_limit", _l(
            "You asked %(limit)d people to meet in the last 24 hours: that is the most a "
            "day. Try again tomorrow.", limit=MAX_PER_DAY), status=429)


def request_for_target(target: Attendee, request_id: int) -> MeetingRequest:
    """A request made to ``target``; anyone else's is not found."""
    request = db.session.get(MeetingRequest, request_id)
    if request is None or request.target_id != target.id:
        raise DomainError("not_found", _l("No such request."), status=404)
    return request


def _answerable(request: MeetingRequest) -> None:
    if request.state == RequestState.ACCEPTED:
        raise DomainError("already_accepted", _l("You accepted this request already."),
                          status=409)
    if request.expires_at <= now_utc() or request.state == RequestState.EXPIRED:
        raise DomainError("expired", _l("This request has expired."), status=409)
    if request.state == RequestState.DECLINED:
        raise DomainError("already_declined", _l("You said not now to this request."),
                          status=409)


def accept_request(target: Attendee, request_id: int) -> Connection:
    """``target`` accepts: we are connected (``via`` the request), each sees the other's
    shared details, and the asker gets an email saying so. Works after the event closed,
    until the request expires. Commits."""
    lock_event_for_writing(target.event_id)
    request = request_for_target(target, request_id)
    db.session.refresh(request)  # read again under the lock: a second tab may have answered
    _answerable(request)
    connection = _accept(request)
    db.session.commit()
    return connection


def _accept(request: MeetingRequest) -> Connection:
    connection, _new = connect_attendees(request.asker, request.target, Via.REQUEST)
    request.state = RequestState.ACCEPTED.value
    request.answered_at = now_utc()
    from checkin.meeting_requests.mail import add_accepted_email

    add_accepted_email(request)
    return connection


def decline_request(target: Attendee, request_id: int) -> MeetingRequest:
    """``target`` says not now: the request leaves their list; the asker is told nothing and
    sees it pending until it expires. Commits."""
    request = request_for_target(target, request_id)
    _answerable(request)
    changed = db.session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == request.id, MeetingRequest.state == RequestState.PENDING)
        .values(state=RequestState.DECLINED.value, answered_at=now_utc())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    db.session.refresh(request)
    if not changed:  # answered meanwhile in another tab
        _answerable(request)
    return request


def expire_overdue(event_id: int) -> int:
    """Mark the event's unanswered requests past their expiry ``expired`` (what every reader
    already treats them as); how many. Flushes: asking at the event calls it."""
    return db.session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.event_id == event_id,
               MeetingRequest.state == RequestState.PENDING,
               MeetingRequest.expires_at <= now_utc())
        .values(state=RequestState.EXPIRED.value)
        .execution_options(synchronize_session=False)).rowcount


def as_seen_by_asker(request: MeetingRequest, now: datetime | None = None) -> str:
    """"accepted", "pending" or "expired": never "declined"."""
    if request.state == RequestState.ACCEPTED:
        return "accepted"
    if request.state != RequestState.EXPIRED and request.expires_at > (now or now_utc()):
        return "pending"
    return "expired"


def requests_to_me(target: Attendee, limit: int = PAGE_SIZE) -> list[MeetingRequest]:
    """The requests waiting for my answer, oldest first (the first to expire), with each
    asker's card loaded."""
    return list(db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.target_id == target.id,
               MeetingRequest.state == RequestState.PENDING,
               MeetingRequest.expires_at > now_utc())
        .options(joinedload(MeetingRequest.asker).joinedload(Attendee.person))
        .order_by(MeetingRequest.created_at, MeetingRequest.id).limit(limit)))


def count_requests_to_me(target: Attendee) -> int:
    """How many wait for my answer: the count in the navigation (one indexed query)."""
    return db.session.scalar(
        select(func.count()).select_from(MeetingRequest)
        .where(MeetingRequest.target_id == target.id,
               MeetingRequest.state == RequestState.PENDING,
               MeetingRequest.expires_at > now_utc()))


def requests_i_made(asker: Attendee, limit: int = PAGE_SIZE) -> list[MeetingRequest]:
    """My requests at this event, newest first, each target's card loaded; show each with
    ``as_seen_by_asker``."""
    return list(db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.asker_id == asker.id)
        .options(joinedload(MeetingRequest.target).joinedload(Attendee.person))
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc()).limit(limit)))


def requests_in_my_data(me: Attendee) -> tuple[list[MeetingRequest], list[MeetingRequest]]:
    """Every request I made and every one made to me at this event (for My data)."""
    every = (select(MeetingRequest).options(
        joinedload(MeetingRequest.asker).joinedload(Attendee.person),
        joinedload(MeetingRequest.target).joinedload(Attendee.person))
        .order_by(MeetingRequest.created_at, MeetingRequest.id))
    return (list(db.session.scalars(every.where(MeetingRequest.asker_id == me.id))),
            list(db.session.scalars(every.where(MeetingRequest.target_id == me.id))))


def met_by_request(me: Attendee, limit: int = PAGE_SIZE) -> list[Attendee]:
    """The people I connected with through a request at this event, newest first: during
    the event we look for each other by our photos."""
    rows = db.session.execute(
        select(Connection.low_id, Connection.high_id)
        .where(Connection.via == Via.REQUEST.value,
               or_(Connection.low_id == me.id, Connection.high_id == me.id))
        .order_by(Connection.created_at.desc(), Connection.id.desc()).limit(limit)).all()
    ids = [high if low == me.id else low for low, high in rows]
    if not ids:
        return []
    found = {a.id: a for a in db.session.scalars(
        select(Attendee).where(Attendee.id.in_(ids)).options(joinedload(Attendee.person)))}
    return [found[i] for i in ids if i in found]


def count_for_summary(event_id: int) -> tuple[int, int]:
    """(requests made, requests accepted) at the event: the organizer's summary shows these
    two numbers and nothing else about requests."""
    made, accepted = db.session.execute(
        select(func.count(), func.count().filter(
            MeetingRequest.state == RequestState.ACCEPTED.value))
        .where(MeetingRequest.event_id == event_id)).one()
    return made, accepted
