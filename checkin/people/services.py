"""Registering people at events, and the secrets and codes that identify them."""

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.cards import clean_text, is_web_link
from checkin.people.models import LIMITS, MAX_LINKS, Attendee, Person
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
    """The link stops working and every phone it signed in is signed out."""
    attendee.signin_token_hash = None
    attendee.sessions_revoked_at = now_utc()
    db.session.commit()


def attendee_for_signin_secret(secret: str) -> Attendee | None:
    if not secret:
        return None
    return db.session.scalar(select(Attendee).filter_by(signin_token_hash=hash_secret(secret)))


def attendee_by_card_code(card_code: str) -> Attendee | None:
    """The attendee holding ``card_code``, with their person and event (one query)."""
    return db.session.scalar(select(Attendee).filter_by(card_code=card_code)
                             .options(joinedload(Attendee.person), joinedload(Attendee.event)))


def signin_url(secret: str) -> str:
    """The personal link from an invitation; opening it signs a phone in."""
    from flask import current_app

    return f"{current_app.config['CHECKIN_BASE_URL']}/s/{secret}"


CARD_TEXT_FIELDS = ("display_name", "headline", "company", "what_i_do", "offer", "need", "pitch",
                    "phone", "email")
CARD_FLAGS = ("share_email", "share_phone", "share_links", "suggestible")


def _too_long(field: str, limit: int) -> DomainError:
    from flask_babel import gettext as _

    return DomainError("too_long", _("At most %(limit)d characters.", limit=limit), field=field,
                       limit=limit)


def update_card(person: Person, **fields) -> Person:
    """Change ``person``'s card: text fields, up to five links, what they share, language.

    Text is cleaned (no control or bidi-override characters); a field over its limit,
    a link that is not http(s), or a bad email address is refused with a DomainError
    naming the field. Commits.
    """
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import gettext as _

    changes = {}
    for field in CARD_TEXT_FIELDS:
        if field not in fields:
            continue
        value = clean_text(fields[field], single_line=field in SINGLE_LINE)
        if len(value) > LIMITS[field]:
            raise _too_long(field, LIMITS[field])
        changes[field] = value
    if "display_name" in changes and not changes["display_name"]:
        raise DomainError("missing_name", _("A name is needed."), field="display_name")
    if changes.get("email"):
        try:
            changes["email"] = validate_email(changes["email"], check_deliverability=False
                                              ).normalized.lower()
        except EmailNotValidError as error:
            raise DomainError("bad_email", _("This is not a valid email address."),
                              field="email") from error
    if "links" in fields:
        links = [clean_text(link, single_line=True) for link in fields["links"] or []]
        links = [link for link in links if link]
        if len(links) > MAX_LINKS:
            raise DomainError("too_many_links", _("At most %(n)d links.", n=MAX_LINKS),
                              field="links")
        for link in links:
            if not is_web_link(link):
                raise DomainError("bad_link", _("A link starts with https:// or http://, has "
                                                "no spaces and holds at most %(limit)d "
                                                "characters.", limit=LIMITS["link"]),
                                  field="links", link=link[:100])
        changes["links"] = links
    for flag in CARD_FLAGS:
        if flag in fields:
            changes[flag] = bool(fields[flag])
    if "language" in fields:
        changes["language"] = fields["language"] if fields["language"] in ("en", "es") else None
    for field, value in changes.items():
        setattr(person, field, value)
    for attendee in person.attendees:
        refresh_search_key(attendee)
    db.session.commit()
    return person


SINGLE_LINE = ("display_name", "headline", "company", "phone", "email")


def find_attendee_by_name_and_email(event: Event, name: str, email: str) -> Attendee | None:
    """The attendee of ``event`` with this email and (accents and case aside) this name."""
    email = email.strip().lower()
    rows = db.session.scalars(
        select(Attendee).join(Person).where(Attendee.event_id == event.id,
                                            Person.email == email)
    ).all()
    return next((a for a in rows if fold(a.person.display_name) == fold(name)), None)


def attendees_with_email(event: Event, email: str) -> list[Attendee]:
    """Every attendee of ``event`` invited at ``email`` (two tickets may share one)."""
    email = (email or "").strip().lower()
    if not email:
        return []
    return list(db.session.scalars(
        select(Attendee).join(Person).where(Attendee.event_id == event.id,
                                            Person.email == email)
    ))


def join_as_walk_in(event: Event, name: str, email: str,
                    language: str | None = None) -> tuple[Attendee, bool]:
    """A walk-in joins ``event``: the attendee, and whether it is new.

    The same name and email again is the same attendee, never a second one.
    """
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import gettext as _

    from checkin.events.services import require_open

    if not event.walk_ins_allowed:
        raise DomainError("no_walk_ins", _("This event does not take walk-ins."), status=404)
    require_open(event)
    name = clean_text(name, single_line=True)
    if not name:
        raise DomainError("missing_name", _("A name is needed."), field="display_name")
    if len(name) > LIMITS["display_name"]:
        raise _too_long("display_name", LIMITS["display_name"])
    try:
        email = validate_email(email or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise DomainError("bad_email", _("This is not a valid email address."),
                          field="email") from error
    existing = find_attendee_by_name_and_email(event, name, email)
    if existing is not None:
        return existing, False
    attendee = register_attendee(event, display_name=name, email=email, source="walk_in",
                                 language=language if language in ("en", "es") else None)
    return attendee, True


def delete_attendee(attendee: Attendee) -> None:
    """Remove ``attendee`` from their event: connections, notes, check-ins and emails go.

    The person's card goes too unless they are registered at another event.
    """
    from flask import current_app

    from checkin.mail.models import OutboxMessage
    from checkin.qr import card_payload
    from checkin.qr.models import QrDrawing

    person_id, attendee_id = attendee.person_id, attendee.id
    payload = card_payload(current_app.config["CHECKIN_BASE_URL"], attendee.card_code)
    db.session.expunge(attendee)
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.recipient == f"attendee:{attendee_id}"))
    db.session.execute(delete(QrDrawing).where(QrDrawing.payload == payload))
    # The database cascades to the connections, notes and check-ins.
    db.session.execute(delete(Attendee).where(Attendee.id == attendee_id))
    others = db.session.scalar(select(func.count()).select_from(Attendee)
                               .where(Attendee.person_id == person_id))
    if not others:
        db.session.execute(delete(Person).where(Person.id == person_id))
    db.session.commit()
    db.session.expire_all()
