"""Which attendee this browser is signed in as, per event (a long-lived signed cookie), and so
as which member of each community."""

import secrets

from flask import g, session
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from checkin.communities.models import Community
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person

SESSION_KEY = "attendees"  # {str(event_id): [attendee_id, attendee's session_key]}


def session_entry(attendee: Attendee) -> list:
    """What a browser signed in as ``attendee`` keeps for their event."""
    return [attendee.id, attendee.session_key]


def sign_in(attendee: Attendee) -> None:
    """Remember in this browser's session that it is ``attendee`` at their event."""
    entries = dict(session.get(SESSION_KEY) or {})
    entries[str(attendee.event_id)] = session_entry(attendee)
    session[SESSION_KEY] = entries
    session.permanent = True  # PERMANENT_SESSION_LIFETIME: the phone is not asked again


def sign_out(event: Event) -> None:
    """This browser is no longer signed in at ``event``, nor at any other event of its
    community (one sign-in holds for all of them)."""
    entries = dict(session.get(SESSION_KEY) or {})
    ids = [int(key) for key in entries if key.isdigit()]
    same_community = set(db.session.scalars(select(Event.id).where(
        Event.id.in_(ids), Event.community_id == event.community_id))) if ids else set()
    kept = {key: entry for key, entry in entries.items()
            if key != str(event.id) and not (key.isdigit() and int(key) in same_community)}
    if kept != entries:
        session[SESSION_KEY] = kept


def _held_id(entry) -> int | None:
    """The attendee id a well-formed session entry names (its key still to be checked)."""
    if not isinstance(entry, list) or len(entry) != 2:
        return None
    attendee_id, key = entry
    if not isinstance(attendee_id, int) or not isinstance(key, str) or not key \
            or not 0 < attendee_id < 2**31:
        return None
    return attendee_id


def _holds(event_id: int, entry, attendee: Attendee | None) -> bool:
    """Whether the session entry for ``event_id`` names ``attendee`` with their current key.

    The key, not only the id: a revoked link replaced the key, and a deleted attendee's id
    never opens whoever is registered next (their key differs).
    """
    return attendee is not None and _held_id(entry) == attendee.id \
        and attendee.event_id == event_id \
        and secrets.compare_digest(attendee.session_key, entry[1])


def _held(event_id: int, entry, with_event: bool = False) -> Attendee | None:
    """The attendee a session entry for ``event_id`` names, if its session key still matches."""
    attendee_id = _held_id(entry)
    if attendee_id is None:
        return None
    options = [joinedload(Attendee.person)]
    if with_event:
        options.append(joinedload(Attendee.event))
    attendee = db.session.get(Attendee, attendee_id, options=options)
    return attendee if _holds(event_id, entry, attendee) else None


def _held_entries():
    """(event id, entry) for every event this browser signed in at, the latest first."""
    entries = session.get(SESSION_KEY) or {}
    return [(int(key), entry) for key, entry in reversed(list(entries.items()))
            if isinstance(key, str) and key.isdigit() and len(key) < 10]


def held_attendee_ids() -> list[int]:
    """The attendee ids this browser's sign-ins name, each still to be confirmed by
    :func:`signed_in_attendee` (for a page that loads its viewer in its own query)."""
    return [attendee_id for _event_id, entry in _held_entries()
            if (attendee_id := _held_id(entry)) is not None]


def signed_in_attendee(event: Event, candidates: dict[int, Attendee] | None = None
                       ) -> Attendee | None:
    """The attendee this browser is signed in as at ``event``, if the sign-in still holds.

    Signed in at one event of a community is signed in at its other events where the same
    person is registered: the held sign-in (with its key) is the proof, and it opens only
    that person's registrations. Sets the person's language for the page.

    ``candidates``: attendees (with their person) a caller's own query already loaded for
    the ids :func:`held_attendee_ids` gave; the one the sign-in names is checked as if read.
    """
    entry = (session.get(SESSION_KEY) or {}).get(str(event.id))
    if entry is None:
        attendee = None
    elif candidates is None:
        attendee = _held(event.id, entry)
    else:
        attendee = candidates.get(_held_id(entry))
        attendee = attendee if _holds(event.id, entry, attendee) else None
    if attendee is None:
        member = signed_in_member(event.community_id, skip_event_id=event.id)
        if member is not None:
            attendee = db.session.scalar(
                select(Attendee).filter_by(event_id=event.id, person_id=member.id)
                .options(joinedload(Attendee.person)))
    if attendee is None:
        return None
    g.person_language = attendee.person.language
    return attendee


def signed_in_member(community: Community | int, skip_event_id: int | None = None
                     ) -> Person | None:
    """The person of ``community`` this browser is signed in as (at any of its events)."""
    community_id = community if isinstance(community, int) else community.id
    for event_id, entry in _held_entries():
        if event_id == skip_event_id:
            continue
        attendee = _held(event_id, entry, with_event=True)
        if attendee is not None and attendee.event.community_id == community_id:
            g.person_language = attendee.person.language
            return attendee.person
    return None


def signed_in_event_ids() -> list[int]:
    return [event_id for event_id, _entry in reversed(_held_entries())]


def signed_in_attendees() -> list[Attendee]:
    """Every attendee this browser is signed in as whose sign-in holds, the latest first."""
    found = []
    for event_id in reversed(signed_in_event_ids()):
        event = db.session.get(Event, event_id)
        attendee = signed_in_attendee(event) if event is not None else None
        if attendee is not None:
            found.append(attendee)
    return found


RETURN_KEY = "return_to_card"  # a card seen before signing in, to come back to after


def remember_card(card: Attendee) -> None:
    """Someone not signed in looked at ``card``: once they sign in, bring them back to it."""
    remembered = [card.event_id, card.card_code]
    if session.get(RETURN_KEY) != remembered:  # unchanged: the cookie need not be sent again
        session[RETURN_KEY] = remembered


def card_to_return_to(attendee: Attendee) -> str | None:
    """The card code remembered for ``attendee``'s event (forgotten once read)."""
    entry = session.pop(RETURN_KEY, None)
    if entry and entry[0] == attendee.event_id and entry[1] != attendee.card_code:
        return entry[1]
    return None
