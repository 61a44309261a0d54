"""Which attendee this browser is signed in as, per event (a long-lived signed cookie)."""

import secrets

from flask import g, session
from sqlalchemy.orm import joinedload

from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee

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
    entries = dict(session.get(SESSION_KEY) or {})
    if entries.pop(str(event.id), None) is not None:
        session[SESSION_KEY] = entries


def signed_in_attendee(event: Event) -> Attendee | None:
    """The attendee this browser is signed in as at ``event``, if the sign-in still holds.

    The attendee's session key must match, not only the id: a revoked link replaced
    the key, and a deleted attendee's id never opens whoever is registered next (their
    key differs). Sets the person's language for the page.
    """
    entry = (session.get(SESSION_KEY) or {}).get(str(event.id))
    if not isinstance(entry, list) or len(entry) != 2:
        return None
    attendee_id, key = entry
    if not isinstance(attendee_id, int) or not isinstance(key, str) or not key:
        return None
    attendee = db.session.get(Attendee, attendee_id, options=[joinedload(Attendee.person)])
    if attendee is None or attendee.event_id != event.id \
            or not secrets.compare_digest(attendee.session_key, key):
        return None
    g.person_language = attendee.person.language
    return attendee


def signed_in_event_ids() -> list[int]:
    return [int(key) for key in (session.get(SESSION_KEY) or {})]


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
    session[RETURN_KEY] = [card.event_id, card.card_code]


def card_to_return_to(attendee: Attendee) -> str | None:
    """The card code remembered for ``attendee``'s event (forgotten once read)."""
    entry = session.pop(RETURN_KEY, None)
    if entry and entry[0] == attendee.event_id and entry[1] != attendee.card_code:
        return entry[1]
    return None
