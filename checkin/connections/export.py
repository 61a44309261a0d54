"""Everything kept about one attendee, for "download my data".

It lives with connections because most of it is the people I met and my notes about them;
the card and the registration it also reads come from ``people``, the floor below.
"""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from checkin.connections.services import people_met
from checkin.extensions import db
from checkin.faces.views import photo_url
from checkin.introductions.services import introductions_data
from checkin.people.cards import shared_contact
from checkin.people.models import Attendee

CARD_FIELDS = ("display_name", "first_name", "last_name", "headline", "company", "what_i_do",
               "offer", "need", "pitch", "links", "phone", "email", "language", "share_email",
               "share_phone", "share_links", "suggestible", "accepts_requests", "listed")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def photo_links(photo) -> dict | None:
    """Where my photo is served (both sizes), and since when; ``None`` without one."""
    if photo is None:
        return None
    base = current_app.config["CHECKIN_BASE_URL"]
    return {"large": base + photo_url(photo, large=True), "thumbnail": base + photo_url(photo),
            "added_at": _iso(photo.created_at)}


def personal_data(me: Attendee) -> dict:
    """My card, and at every event of my community where I am registered: the event, my
    registration, the people I met there (what they share with me) and my notes. The event
    ``me`` is registered at comes first and is repeated at the top, as it always was. Then
    the introductions I made and the ones made to me.

    Never another person's notes, never my sign-in secret (only its issue date).
    """
    person = me.person
    registrations = sorted(
        db.session.scalars(select(Attendee).where(Attendee.person_id == person.id)
                           .options(joinedload(Attendee.event))),
        key=lambda a: (a.id != me.id, a.event.starts_at))
    this = _at_event(me)
    return {
        "card": {field: getattr(person, field) for field in CARD_FIELDS},
        "photo": photo_links(person.photo),
        "community": {"slug": me.event.community.slug, "name": me.event.community.name},
        **this,
        "events": [this, *(_at_event(a) for a in registrations if a.id != me.id)],
        "introductions": introductions_data(person),
    }


def _at_event(me: Attendee) -> dict:
    event = me.event
    return {
        "event": {"slug": event.slug, "name": event.name, "starts_at": _iso(event.starts_at),
                  "ends_at": _iso(event.ends_at), "venue": event.venue},
        "registration": {
            "card_code": me.card_code, "ticket_code": me.ticket_code,
            "ticket_type": me.ticket_type, "source": me.source,
            "registered_at": _iso(me.created_at), "invited_at": _iso(me.invited_at),
            "sign_in_link_issued_at": _iso(me.signin_issued_at),
            "checked_in_at": _iso(me.checked_in_at), "checked_in_gate": me.checked_in_gate,
        },
        "people_i_met": [
            {"name": met.other.person.display_name, "card_code": met.other.card_code,
             "headline": met.other.person.headline, "company": met.other.person.company,
             "contact": shared_contact(met.other.person),
             "met_at": _iso(met.connection.created_at),
             "i_scanned_them": met.connection.scanned_by_id == me.id,
             "via": met.connection.via,
             "my_note": met.note}
            for met in people_met(me, limit=None)
        ],
        **requests_of(me),
    }


def requests_of(me: Attendee) -> dict:
    """My requests to meet at the event: the ones I made as I see them (never "declined"),
    and the ones made to me with my own answer."""
    from checkin.meeting_requests.services import as_seen_by_asker, requests_in_my_data

    made, received = requests_in_my_data(me)
    return {
        "requests_i_made": [{"to": r.target.person.display_name, "card_code": r.target.card_code,
                             "message": r.message, "asked_at": _iso(r.created_at),
                             "status": as_seen_by_asker(r)} for r in made],
        "requests_to_me": [{"from": r.asker.person.display_name,
                            "card_code": r.asker.card_code, "message": r.message,
                            "asked_at": _iso(r.created_at), "my_answer": r.state}
                           for r in received],
    }
