"""People to meet here: a few people in the room whom I have not met, chosen by the matching
the follow-ups use (my need ↔ their offer, and the reverse), one of them outside my circle.

My *circle* is what I and everyone I have met at the community's events do: the words of our
headlines, *what I do* and companies, without job titles ("founder", "gerente"), the words of
a company's form ("studio", "agencia", "ltd") or common words. Someone is *outside* it when
their own such words share none with it (a blank card, theirs or my whole circle's, says
nothing, so it is never outside).
"""

from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import select, union_all

from checkin.connections.models import Connection
from checkin.connections.services import removed_people
from checkin.events.models import EventState
from checkin.extensions import db
from checkin.faces.services import preload_photos
from checkin.followups.render import reason_for
from checkin.followups.suggestions import Candidate, Suggestion, keywords
from checkin.meet.live import LiveIndex, reading
from checkin.meeting_requests.services import asked_here
from checkin.people.models import Attendee, Person
from checkin.text import fold

SHOWN = 4  # three matches and the one outside my circle
SPARES = 8  # picks read again beyond those shown, in case some left or opted out since
WHAT_CLIP = 100
OUTSIDE_LOOKS = 300  # matches, then people, looked at for an outside pick

ROLE_WORDS = frozenset(fold(w) for w in """
founder cofounder co-founder ceo cto coo cfo cmo owner partner manager director head lead
senior junior chief officer president consultant freelance freelancer independent specialist
expert team company business self employed contractor intern student
fundador fundadora cofundador cofundadora gerente director directora socio socia dueño dueña
responsable jefe jefa coordinador coordinadora consultor consultora autonomo autonoma
especialista experto experta equipo empresa negocio independiente becario becaria estudiante
studio agency group consulting solutions services ltd inc llc gmbh
estudio agencia grupo consultoria soluciones servicios
""".split())  # noqa: SIM905


@lru_cache(maxsize=20_000)
def field_of(headline: str, what_i_do: str, company: str) -> frozenset[str]:
    """The stems that say what someone works in (job titles and common words left out)."""
    stems: set[str] = set()
    for text in (headline, what_i_do, company):
        stems.update(stem for stem, word in keywords(text).items() if word not in ROLE_WORDS)
    return frozenset(stems)


def candidate_field(live: LiveIndex, candidate: Candidate) -> frozenset[str]:
    """``field_of`` an indexed candidate, worked out once per process and card."""
    found = live.fields.get(candidate.attendee_id)
    if found is None:
        found = live.fields[candidate.attendee_id] = field_of(
            candidate.headline, candidate.what_i_do, candidate.company)
    return found


@dataclass(frozen=True)
class PersonToMeet:
    """One suggestion as My card shows it: the person (photo loaded) and why, in words."""

    person: Person
    attendee_id: int
    reason: str
    outside: bool


@dataclass(frozen=True)
class Circle:
    """Whom I have met at the community's events, and what we do."""

    met_here: frozenset[int]  # attendees of this event I am connected with
    people: frozenset[int]  # the people I have met anywhere in the community
    field: frozenset[str]  # my field and theirs


def circle_of(me: Attendee) -> Circle:
    """One query: everyone connected with any of my registrations, with their field."""
    mine = select(Attendee.id).where(Attendee.person_id == me.person_id)
    others = union_all(
        select(Connection.high_id).where(Connection.low_id.in_(mine)),
        select(Connection.low_id).where(Connection.high_id.in_(mine)),
    )
    rows = db.session.execute(
        select(Attendee.id, Attendee.event_id, Person.id, Person.headline, Person.what_i_do,
               Person.company)
        .join(Person, Person.id == Attendee.person_id)
        .where(Attendee.id.in_(others))).all()
    person = me.person
    field = set(field_of(person.headline, person.what_i_do, person.company))
    for row in rows:
        field |= field_of(row.headline, row.what_i_do, row.company)
    return Circle(met_here=frozenset(r[0] for r in rows if r.event_id == me.event_id),
                  people=frozenset(r[2] for r in rows), field=frozenset(field))


def people_to_meet(me: Attendee, exclude=frozenset()) -> list[PersonToMeet]:
    """Up to ``SHOWN`` people at ``me``'s open event for me to meet, best match first, and at
    least one outside my circle (said so in the reason), in the current language.

    Only people here (checked in, not gone out; everyone registered while the door is not
    used) who allow suggestions; never me, anyone I have met, or anyone either of us removed,
    at any of the community's events; never anyone I asked to meet here (pending, declined
    or expired alike, so the list gives no answer away), nor the attendees in ``exclude``.
    Bounded work: the event's index is kept current per process (checkin.meet.live); this
    scores only the people who share a word with my offer or need, and reads the few it
    picks again.
    """
    event, person = me.event, me.person
    if event.state != EventState.OPEN:
        return []
    circle = circle_of(me)
    exclude = set(exclude) | asked_here(me)
    never_people = circle.people | removed_people(me.person_id) | {me.person_id}
    with reading(event) as live:
        # Asked for as many more as there are people to leave out, it still holds the best.
        ranked = [s for s in live.index.ranked(me.id, person.offer, person.need,
                                                set(circle.met_here) | set(exclude),
                                                limit=OUTSIDE_LOOKS + len(never_people))
                  if s.candidate.person_id not in never_people]
        shortlist = ranked[:SHOWN + SPARES]
        outside = next((s for s in ranked if _outside(live, s.candidate, circle)), None)
        if outside is None:
            outside = _anyone_outside(live, circle, never_people,
                                      {s.candidate.attendee_id for s in shortlist}
                                      | set(exclude) | circle.met_here | {me.id})
        if outside is not None and outside not in shortlist:
            shortlist.append(outside)
        flagged = [s for s in shortlist if _outside(live, s.candidate, circle)]
        by_checkin = live.by_checkin
    here = _still_here(by_checkin, [s.candidate.attendee_id for s in shortlist])
    return _picked([s for s in shortlist if s.candidate.attendee_id in here], here, flagged)


def _outside(live: LiveIndex, candidate: Candidate, circle: Circle) -> bool:
    """Their field shares nothing with my circle's (neither may be unknown: blank cards)."""
    theirs = candidate_field(live, candidate)
    return bool(theirs) and bool(circle.field) and theirs.isdisjoint(circle.field)


def _anyone_outside(live: LiveIndex, circle: Circle, never_people: set[int],
                    skip: set[int]) -> Suggestion | None:
    """No match is outside my circle: someone outside it all the same, the latest arrivals
    first, looking at no more than ``OUTSIDE_LOOKS`` people."""
    for looked, attendee_id in enumerate(reversed(live.index.candidates)):
        if looked >= OUTSIDE_LOOKS:
            break
        candidate = live.index.candidates[attendee_id]
        if attendee_id in skip or candidate.person_id in never_people:
            continue
        if _outside(live, candidate, circle):
            return Suggestion(candidate, "", "", "", (), 0.0)
    return None


def _still_here(by_checkin: bool, attendee_ids: list[int]) -> dict[int, Person]:
    """{attendee id: person} for those of ``attendee_ids`` still here and suggestible now."""
    if not attendee_ids:
        return {}
    # By id alone (they are all of this event's): a filter on the event would tempt SQLite
    # into reading the whole event through its (event, checked in) index.
    query = (select(Attendee.id, Person).join(Person, Person.id == Attendee.person_id)
             .where(Attendee.id.in_(attendee_ids), Person.suggestible.is_(True)))
    if by_checkin:
        query = query.where(Attendee.checked_in_at.is_not(None), Attendee.inside.is_(True))
    here = {attendee_id: person for attendee_id, person in db.session.execute(query)}
    preload_photos(here.values())
    return here


def _picked(shortlist: list[Suggestion], here: dict[int, Person],
            outside: list[Suggestion]) -> list[PersonToMeet]:
    """The best ``SHOWN``, the last place kept for someone outside my circle (``outside``)
    unless one of the best already is."""
    outside = [s for s in shortlist if s in outside]
    matches = [s for s in shortlist if s.direction]
    best = matches[:SHOWN]
    if outside and not any(s in outside for s in best):
        best = [*best[:SHOWN - 1], outside[0]]
    flagged = next((s for s in best if s in outside), None)
    return [PersonToMeet(person=here[s.candidate.attendee_id],
                         attendee_id=s.candidate.attendee_id,
                         reason=_reason(s, outside=s is flagged), outside=s is flagged)
            for s in best]


def _reason(suggestion: Suggestion, outside: bool) -> str:
    if not suggestion.direction:  # no match: what they do is the reason
        c = suggestion.candidate
        what = " ".join((c.headline or c.what_i_do or c.company).split())
        what = what if len(what) <= WHAT_CLIP else what[:WHAT_CLIP - 1].rstrip() + "…"
        return _("Someone outside your usual circle: %(name)s, %(what)s.", name=c.name,
                 what=what)
    reason = reason_for(suggestion)
    if outside:
        return _("Someone outside your usual circle: %(reason)s", reason=reason)
    return reason
