"""Registering people at events, and the secrets and codes that identify them."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import LIMITS, Attendee, Person
from checkin.text import fold
from checkin.tokens import hash_secret, new_card_code, new_secret


def search_key_for(attendee: Attendee) -> str:
    """What door and console search match against: name, email, company, ticket code, folded."""
    person = attendee.person
    parts = (person.display_name, person.first_name, person.last_name, person.email,
             person.company, attendee.ticket_code or "", attendee.card_code)
    return fold(" ".join(p for p in parts if p))[: Attendee.search_key.type.length]


def refresh_search_key(attendee: Attendee) -> None:
    attendee.search_key = search_key_for(attendee)


def display_name_from(first_name: str, last_name: str, display_name: str = "") -> str:
    return (display_name or f"{first_name} {last_name}").strip()[: LIMITS["display_name"]]


def register_attendee(
    event: Event,
    *,
    display_name: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    source: str = "manual",
    ticket_code: str | None = None,
    ticket_source: str | None = None,
    ticket_type: str = "",
    commit: bool = True,
    **card,
) -> Attendee:
    """A new person registered at ``event`` with a fresh card code.

    ``card`` holds any other Person field (headline, company, offer, …). Pass
    ``commit=False`` to batch many registrations in the caller's transaction.
    """
    name = display_name_from(first_name, last_name, display_name)
    if not name:
        raise DomainError("missing_name", "A name is needed.")
    person = Person(
        display_name=name,
        first_name=first_name.strip()[: LIMITS["first_name"]],
        last_name=last_name.strip()[: LIMITS["last_name"]],
        email=email.strip().lower(),
        **card,
    )
    attendee = Attendee(
        event=event,
        person=person,
        card_code=new_card_code(),
        ticket_code=ticket_code or None,
        ticket_source=ticket_source,
        ticket_type=ticket_type,
        source=source,
    )
    refresh_search_key(attendee)
    db.session.add(attendee)
    if commit:
        try:
            db.session.commit()
        except IntegrityError as error:
            db.session.rollback()
            raise DomainError("duplicate_attendee",
                              "This ticket code is already registered for the event.",
                              status=409) from error
    return attendee


def issue_signin_link(attendee: Attendee, commit: bool = True) -> str:
    """A new sign-in secret for ``attendee``; any earlier link stops working.

    The secret is returned once, to be put in an email; only its hash is kept.
    """
    secret = new_secret()
    attendee.signin_token_hash = hash_secret(secret)
    attendee.signin_issued_at = now_utc()
    if commit:
        db.session.commit()
    return secret


def revoke_signin_link(attendee: Attendee) -> None:
    attendee.signin_token_hash = None
    db.session.commit()


def attendee_for_signin_secret(secret: str) -> Attendee | None:
    if not secret:
        return None
    return db.session.scalar(select(Attendee).filter_by(signin_token_hash=hash_secret(secret)))


def attendee_by_card_code(card_code: str) -> Attendee | None:
    return db.session.scalar(select(Attendee).filter_by(card_code=card_code))


def signin_url(secret: str) -> str:
    """The personal link from an invitation; opening it signs a phone in."""
    from flask import current_app

    return f"{current_app.config['CHECKIN_BASE_URL']}/s/{secret}"
