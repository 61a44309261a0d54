"""Introducing two of my contacts to each other: asking each in turn, and the link it makes."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from checkin.columns import now_utc
from checkin.connections.services import person_removed
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.introductions.mail import queue_ask, queue_introduced
from checkin.introductions.models import MAX_REASON_LENGTH, Introduction, IntroductionState
from checkin.members.network import contact_ids
from checkin.people.models import Person
from checkin.ratelimit import allow
from checkin.text import clean_text

# How long the one asked has to answer (B, then C from when B said yes); past it the
# introduction is quietly "not now". Two weeks: long enough for a holiday, short enough
# that a yes still means something to the other.
ANSWER_WINDOW = timedelta(days=14)
# An introduction is a favour asked of two people: a few a day is a generous introducer,
# dozens is a broadcast. Waiting ones are capped too, so nobody fills others' lists.
DAILY_LIMIT = 10
WAITING_LIMIT = 20

ASKING = (IntroductionState.ASKING_FIRST.value, IntroductionState.ASKING_SECOND.value)


def _person_of(community_id: int, person_id) -> Person | None:
    person = db.session.get(Person, person_id) if isinstance(person_id, int) else None
    return person if person is not None and person.community_id == community_id else None


def introduce(introducer: Person, first_id: int, second_id: int, reason: str,
              event: Event | None = None) -> Introduction:
    """``introducer`` introduces two of their contacts: ``first`` is asked now, privately;
    ``second`` only once ``first`` says yes. ``event`` is the one whose summary counts it.

    Refused: the same person twice, oneself, someone not in my network (or who removed me),
    two people already connected, a pair I introduced before, no reason or a long one, and
    past the caps. Two people of whom one removed the other are never asked: it is recorded
    and reads "not now" to me, as any refusal would. Commits.
    """
    if first_id == second_id:
        raise DomainError("same_person", _l("Pick two different people."), field="second")
    if introducer.id in (first_id, second_id):
        raise DomainError("introducing_oneself", _l("You cannot introduce yourself."),
                          field="second")
    reason = clean_text(reason)
    if not reason:
        raise DomainError("reason_missing", _l("Say in a sentence why they should meet."),
                          field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError("reason_too_long", _l("At most %(max)d characters.",
                                                max=MAX_REASON_LENGTH), field="reason")
    first = _person_of(introducer.community_id, first_id)
    second = _person_of(introducer.community_id, second_id)
    mine = contact_ids(introducer)
    for person, field in ((first, "first"), (second, "second")):
        if person is None or person.id not in mine or person_removed(person.id, introducer.id):
            raise DomainError("not_a_contact", _l(
                "You can introduce only people in your network."), status=403, field=field)
    if second.id in contact_ids(first):
        raise DomainError("already_connected", _l(
            "%(first)s and %(second)s are already connected.", first=first.display_name,
            second=second.display_name), status=409, field="second")
    if db.session.scalar(select(Introduction.id).where(
            Introduction.introducer_id == introducer.id,
            or_(and_(Introduction.first_id == first.id, Introduction.second_id == second.id),
                and_(Introduction.first_id == second.id, Introduction.second_id == first.id)))):
        raise DomainError("already_introduced", _l(
            "You have introduced them to each other before."), status=409, field="second")
    now = now_utc()
    waiting = db.session.scalar(select(func.count()).select_from(Introduction).where(
        Introduction.introducer_id == introducer.id, Introduction.state.in_(ASKING),
        Introduction.expires_at > now))
    if waiting >= WAITING_LIMIT:
        raise DomainError("too_many_waiting", _l(
            "%(count)d of your introductions are still waiting for answers: wait for some of "
            "them before making another.", count=waiting), status=429)
    if not allow(f"introduce:{introducer.id}", DAILY_LIMIT, timedelta(days=1)):
        raise DomainError("too_many_today", _l(
            "You have made %(limit)d introductions today: make the next one tomorrow.",
            limit=DAILY_LIMIT), status=429)
    quietly_not_now = person_removed(first.id, second.id, either_way=True)
    introduction = Introduction(
        community_id=introducer.community_id, event_id=event.id if event else None,
        introducer_id=introducer.id, first_id=first.id, second_id=second.id, reason=reason,
        state=(IntroductionState.NOT_NOW if quietly_not_now
               else IntroductionState.ASKING_FIRST).value,
        created_at=now, expires_at=now + ANSWER_WINDOW)
    try:
        with db.session.begin_nested():
            db.session.add(introduction)
    except IntegrityError:  # the same form sent twice at once
        raise DomainError("already_introduced", _l(
            "You have introduced them to each other before."), status=409,
            field="second") from None
    if not quietly_not_now:
        queue_ask(introduction, first)
    db.session.commit()
    return introduction


def answer(person: Person, introduction_id: int, accept: bool) -> Introduction:
    """``person`` says yes or "not now" to an introduction waiting for them.

    The first's yes asks the second; the second's yes introduces them: one email to each
    with the other's card and what they share, and each is in the other's network. A "not
    now" ends it, and nobody is told who said it. One conditional UPDATE takes the step, so
    two taps (or two phones) answer once. Commits.
    """
    introduction = db.session.get(Introduction, introduction_id, options=[
        joinedload(Introduction.first), joinedload(Introduction.second),
        joinedload(Introduction.introducer)])
    if introduction is None or not introduction.is_visible_to(person.id):
        raise DomainError("not_found", _l("No such introduction."), status=404)
    now = now_utc()
    if not introduction.awaits(person.id, now):
        raise DomainError("not_waiting", _l(
            "This introduction is no longer waiting for your answer."), status=409)
    asked = introduction.state
    if not accept:
        values = {"state": IntroductionState.NOT_NOW.value, "answered_at": now}
    elif asked == IntroductionState.ASKING_FIRST:
        values = {"state": IntroductionState.ASKING_SECOND.value, "second_asked_at": now,
                  "expires_at": now + ANSWER_WINDOW}
    else:
        values = {"state": IntroductionState.INTRODUCED.value, "answered_at": now,
                  "introduced_at": now}
    taken = db.session.execute(
        update(Introduction)
        .where(Introduction.id == introduction.id, Introduction.state == asked,
               Introduction.expires_at > now)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if not taken:
        db.session.rollback()
        raise DomainError("not_waiting", _l(
            "This introduction is no longer waiting for your answer."), status=409)
    db.session.refresh(introduction)
    if introduction.state == IntroductionState.ASKING_SECOND:
        queue_ask(introduction, introduction.second)
    elif introduction.state == IntroductionState.INTRODUCED:
        queue_introduced(introduction)
    db.session.commit()
    return introduction


def _loaded():
    return (joinedload(Introduction.first), joinedload(Introduction.second),
            joinedload(Introduction.introducer))


def waiting_for(person: Person) -> list[Introduction]:
    """The introductions waiting for ``person``'s answer, oldest first."""
    now = now_utc()
    return list(db.session.scalars(
        select(Introduction).where(
            or_(and_(Introduction.first_id == person.id,
                     Introduction.state == IntroductionState.ASKING_FIRST),
                and_(Introduction.second_id == person.id,
                     Introduction.state == IntroductionState.ASKING_SECOND)),
            Introduction.expires_at > now)
        .options(*_loaded()).order_by(Introduction.created_at, Introduction.id)))


def count_waiting_for(person: Person) -> int:
    """How many introductions wait for ``person`` (the count beside the tab): one query."""
    return db.session.scalar(select(func.count()).select_from(Introduction).where(
        or_(and_(Introduction.first_id == person.id,
                 Introduction.state == IntroductionState.ASKING_FIRST),
            and_(Introduction.second_id == person.id,
                 Introduction.state == IntroductionState.ASKING_SECOND)),
        Introduction.expires_at > now_utc()))


def said_yes_waiting(person: Person) -> list[Introduction]:
    """Introductions ``person`` said yes to first, while the other one's time to answer
    runs. A "not now" from the other reads as waiting until then: nobody learns it."""
    return list(db.session.scalars(
        select(Introduction).where(
            Introduction.first_id == person.id, Introduction.second_asked_at.is_not(None),
            Introduction.state.in_((IntroductionState.ASKING_SECOND.value,
                                    IntroductionState.NOT_NOW.value)),
            Introduction.expires_at > now_utc())
        .options(*_loaded()).order_by(Introduction.second_asked_at.desc())))


MADE_PAGE = 50


def made_by(person: Person) -> list[Introduction]:
    """The introductions ``person`` made, newest first (the latest ``MADE_PAGE``)."""
    return list(db.session.scalars(
        select(Introduction).where(Introduction.introducer_id == person.id)
        .options(*_loaded()).order_by(Introduction.created_at.desc(), Introduction.id.desc())
        .limit(MADE_PAGE)))


def outcome(introduction: Introduction, now: datetime | None = None) -> str:
    """What the introducer sees: ``introduced``, ``waiting`` or ``not_now`` (a refusal by
    either, or nobody answering in time, all read the same)."""
    if introduction.state == IntroductionState.INTRODUCED:
        return "introduced"
    if introduction.state in ASKING and introduction.expires_at > (now or now_utc()):
        return "waiting"
    return "not_now"


def introduction_counts(event: Event) -> tuple[int, int]:
    """(made, introduced): the introductions counted in ``event``'s summary. Counts only:
    never who introduced whom."""
    made, introduced = db.session.execute(
        select(func.count(), func.count(Introduction.introduced_at))
        .where(Introduction.event_id == event.id)).one()
    return made, introduced


def introductions_data(person: Person) -> dict:
    """For "download my data": the introductions ``person`` made (with what they see of the
    outcome) and those made to them that they have seen."""
    def iso(value):
        return value.isoformat() if value else None

    made = db.session.scalars(select(Introduction).where(
        Introduction.introducer_id == person.id).options(*_loaded())
        .order_by(Introduction.created_at))
    to_me = db.session.scalars(select(Introduction).where(
        or_(Introduction.first_id == person.id,
            and_(Introduction.second_id == person.id,
                 Introduction.second_asked_at.is_not(None)))).options(*_loaded())
        .order_by(Introduction.created_at))
    return {
        "made": [{"first": i.first.display_name, "second": i.second.display_name,
                  "reason": i.reason, "made_at": iso(i.created_at), "outcome": outcome(i)}
                 for i in made],
        "to_me": [{"introduced_by": i.introducer.display_name if i.introducer else None,
                   "to": i.other(person.id).display_name, "reason": i.reason,
                   "asked_at": iso(i.created_at if i.first_id == person.id
                                   else i.second_asked_at),
                   "introduced_at": iso(i.introduced_at),
                   "waiting_for_my_answer": i.awaits(person.id)}
                  for i in to_me],
    }
