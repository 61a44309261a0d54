"""Registering people at events, and the secrets and codes that identify them."""

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

import checkin.people.search  # noqa: F401  (its flush listener keeps the search terms)
from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.models import Event, EventState
from checkin.events.services import require_open
from checkin.extensions import db
from checkin.faces import services as faces
from checkin.faces.images import ProcessedPhoto
from checkin.i18n import LANGUAGES
from checkin.people.cards import as_web_link, is_web_link
from checkin.people.models import LIMITS, MAX_LINKS, Attendee, AttendeeSource, Person
from checkin.text import clean_text, fold
from checkin.tokens import hash_secret, new_card_code, new_secret, new_session_key
from checkin.transactions import lock_community_for_writing, lock_event_for_writing


def search_key_for(attendee: Attendee) -> str:
    """What door and console search match against: name, email, company, ticket code, folded."""
    person = attendee.person
    parts = (person.display_name, person.first_name, person.last_name, person.email,
             person.company, attendee.ticket_code or "", attendee.card_code)
    return fold(" ".join(p for p in parts if p))[: Attendee.search_key.type.length]


def refresh_search_key(attendee: Attendee) -> None:
    """Write ``attendee``'s search key again; its search terms follow at the flush."""
    attendee.search_key = search_key_for(attendee)


def refresh_sort_keys(person_ids) -> None:
    """Recompute the stored sort keys of ``person_ids`` after a bulk write that skipped the
    attribute events (the import's INSERT … SELECT and its UPDATEs). Flushes, never commits."""
    from sqlalchemy import bindparam, update

    from checkin.people.models import sort_key

    ids = list(person_ids)
    for start in range(0, len(ids), 1000):
        rows = db.session.execute(select(Person.id, Person.display_name, Person.company)
                                  .where(Person.id.in_(ids[start:start + 1000]))).all()
        if rows:
            db.session.execute(
                update(Person.__table__).where(Person.__table__.c.id == bindparam("row_id"))
                .values(name_key=bindparam("name"), company_key=bindparam("company_name")),
                [{"row_id": r.id, "name": sort_key(r.display_name),
                  "company_name": sort_key(r.company)} for r in rows])


def display_name_from(first_name: str, last_name: str, display_name: str = "") -> str:
    return (display_name or f"{first_name} {last_name}").strip()[: LIMITS["display_name"]]


# Card fields a registration may bring for a member who has a card already: only filled when
# the member left them empty, never overwritten (the card is theirs).
FILL_BLANK_FIELDS = ("headline", "company", "what_i_do", "offer", "need", "pitch", "phone",
                     "links", "language")


def member_for(event: Event, email: str, name: str, taken=()) -> Person | None:
    """The person of ``event``'s community that a registration with ``email`` and ``name``
    is, or None for someone new.

    Matched by email (lower-cased, trimmed) among the community's people not registered at
    ``event`` yet (nor in ``taken``: already matched by the same import). When the address
    belongs to one person, it is them, whatever the name (people change how they write it);
    when several share it (a buyer's tickets for friends), the name decides, and none that
    matches is someone new. Another community's people are never looked at.
    """
    email = (email or "").strip().lower()
    if not email:
        return None
    people = db.session.scalars(
        select(Person).where(Person.community_id == event.community_id, Person.email == email)
        .order_by(Person.id)).all()
    if not people:
        return None
    here = set(db.session.scalars(select(Attendee.person_id).where(
        Attendee.event_id == event.id, Attendee.person_id.in_([p.id for p in people]))))
    return choose_member(people, name, here | set(taken))


def choose_member(people: list[Person], name: str, unavailable: set[int]) -> Person | None:
    """``member_for``'s rule over ``people`` (every person of the community with one email)."""
    free = [p for p in people if p.id not in unavailable]
    wanted = fold(name)
    named = next((p for p in free if wanted and wanted in (
        fold(p.display_name), fold(f"{p.first_name} {p.last_name}"))), None)
    if named is not None:
        return named
    return free[0] if len(people) == 1 and free else None


def new_attendee(
    event: Event,
    *,
    display_name: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    source: str = AttendeeSource.MANUAL,
    ticket_code: str | None = None,
    ticket_source: str | None = None,
    ticket_type: str = "",
    **card,
) -> Attendee:
    """A new person registered at ``event`` with a fresh card code, added to the session.

    A member of the event's community (see ``member_for``) keeps their card: ``card`` only
    fills what they left empty. Anyone else is a new person, with ``card`` holding any other
    Person field (headline, company, offer, …). Only adds: the caller's use case commits
    (so many registrations can share one transaction).
    """
    name = display_name_from(first_name, last_name, display_name)
    if not name:
        raise DomainError("missing_name", _l("A name is needed."), field="display_name")
    lock_community_for_writing(event.community_id)
    person = member_for(event, email, name)
    if person is not None:
        for field, value in card.items():
            if field in FILL_BLANK_FIELDS and value and not getattr(person, field):
                setattr(person, field, value)
    else:
        person = Person(
            community_id=event.community_id,
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
    return attendee


def register_attendee(event: Event, **fields) -> Attendee:
    """Register one person at ``event`` (see ``new_attendee``) and commit.

    A ticket code registered at the same moment by another request is refused.
    """
    attendee = new_attendee(event, **fields)
    commit_or_refuse_duplicate()
    return attendee


def commit_or_refuse_duplicate() -> None:
    """Commit; a ticket code that another request registered first is a 409 refusal."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DomainError("duplicate_ticket", _l("Another guest has this ticket code."),
                          status=409, field="ticket_code") from error


def new_signin_secret(attendee: Attendee, sent_to: str | None = None) -> str:
    """A new sign-in secret for ``attendee`` (only its hash is kept, with ``sent_to``, the
    address it will be emailed to); any earlier link stops working. Only changes the
    attendee: the caller commits."""
    secret = new_secret()
    attendee.signin_token_hash = hash_secret(secret)
    attendee.signin_issued_at = now_utc()
    attendee.signin_sent_to = sent_to
    return secret


def issue_signin_link(attendee: Attendee) -> str:
    """A new sign-in secret for ``attendee``, committed; any earlier link stops working.

    The secret is returned once, to be put in an email; only its hash is kept.
    """
    secret = new_signin_secret(attendee)
    db.session.commit()
    return secret


def revoke_signin_link(attendee: Attendee) -> None:
    """The link stops working and every phone signed in as this person is signed out.
    Commits."""
    sign_out_everywhere(attendee)
    db.session.commit()


def sign_out_everywhere(attendee: Attendee) -> None:
    """``revoke_signin_link`` inside the caller's transaction: this registration's link goes,
    and so does every phone signed in as the person, through any of their registrations (one
    sign-in holds at all of the community's events, so a phone signed in with another
    event's link would still open this one). The person's links for other events keep
    working: they are in the person's inbox, where a new link would go."""
    attendee.signin_token_hash = None
    now = now_utc()
    registrations = db.session.scalars(select(Attendee).where(
        Attendee.person_id == attendee.person_id, Attendee.id != attendee.id))
    for registration in (attendee, *registrations):
        registration.session_key = new_session_key()
        registration.sessions_revoked_at = now


def attendee_for_signin_secret(secret: str) -> Attendee | None:
    if not secret:
        return None
    return db.session.scalar(select(Attendee).filter_by(signin_token_hash=hash_secret(secret)))


def sign_in_by_link(secret: str) -> Attendee | None:
    """The attendee a sign-in link signs in, or None; their person is marked signed in.

    Once a person has signed in, a link works only if it was emailed to their address, and
    their first sign-in makes the address the link went to theirs. Decided by one
    conditional UPDATE, so an organizer changing the address at that very moment either
    comes first (and the guest's address wins) or is refused (see ``change_email``).
    """
    attendee = attendee_for_signin_secret(secret)
    if attendee is None:
        return None
    sent_to = attendee.signin_sent_to
    values = {"first_signed_in_at": func.coalesce(Person.first_signed_in_at, now_utc())}
    guard = Person.id == attendee.person_id
    if sent_to is not None:
        values["email"] = sent_to
        guard = guard & (Person.first_signed_in_at.is_(None) | (Person.email == sent_to))
    won = db.session.execute(update(Person).where(guard).values(**values)
                             .execution_options(synchronize_session=False)).rowcount
    if not won:
        db.session.rollback()
        return None
    db.session.expire(attendee.person)
    for registration in attendee.person.attendees:
        refresh_search_key(registration)
    db.session.commit()
    return attendee


def change_email(person: Person, email: str) -> None:
    """An organizer corrects a guest's address; refused once the guest has signed in.

    From their first sign-in the address is the guest's own (they change it on their card):
    an organizer who could change it could send themselves a link and read the guest's
    notes. One conditional UPDATE, so it never slips in after the guest's first sign-in.
    Flushes; the caller commits.
    """
    if email == person.email:
        return
    changed = db.session.execute(
        update(Person).where(Person.id == person.id, Person.first_signed_in_at.is_(None))
        .values(email=email).execution_options(synchronize_session=False)).rowcount
    db.session.expire(person, ["email", "first_signed_in_at"])
    if not changed:
        raise DomainError("email_is_the_guests",
                          _l("This guest has signed in: only they can change their email "
                             "address, from their card."), status=409, field="email")


def attendee_by_card_code(card_code: str) -> Attendee | None:
    """The attendee holding ``card_code``, with their person and event (one query)."""
    return db.session.scalar(select(Attendee).filter_by(card_code=card_code)
                             .options(joinedload(Attendee.person), joinedload(Attendee.event)))


def signin_url(secret: str) -> str:
    """The personal link from an invitation; opening it signs a phone in."""
    return f"{current_app.config['CHECKIN_BASE_URL']}/s/{secret}"


CARD_TEXT_FIELDS = ("display_name", "headline", "company", "what_i_do", "offer", "need", "pitch",
                    "phone", "email")
CARD_FLAGS = ("share_email", "share_phone", "share_links", "suggestible", "accepts_requests",
              "listed")


def too_long(field: str, limit: int) -> DomainError:
    return DomainError("too_long", _l("At most %(limit)d characters.", limit=limit), field=field,
                       limit=limit)


def checked_email(text: str | None, field: str = "email") -> str:
    """An address as stored (syntax checked, lower-cased), or a ``bad_email`` refusal.

    The one check of an attendee's address, for every way one is written: the card, the
    console, the API, the join page. An empty address stays empty.
    """
    text = (text or "").strip()
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise DomainError("bad_email", _l("This is not a valid email address."),
                          field=field) from error


def checked_language(value: str | None, field: str = "language") -> str | None:
    """A chosen language (``None`` for none chosen), or a ``bad_language`` refusal."""
    if value in (None, ""):
        return None
    if value not in LANGUAGES:
        raise DomainError("bad_language", _l("The language must be English or Spanish."),
                          field=field)
    return value


def update_card(person: Person, *, photo: ProcessedPhoto | None = None,
                remove_photo: bool = False, **fields) -> Person:
    """Change ``person``'s card: text fields, up to five links, what they share, language,
    and its photo (a new ``photo``, read by ``checkin.faces.images``, or ``remove_photo``).

    Text is cleaned (no control or bidi-override characters); a field over its limit,
    a link that is not http(s), or a bad email address is refused with a DomainError
    naming the field, before anything changes. Commits.
    """
    changes = {}
    for field in CARD_TEXT_FIELDS:
        if field not in fields:
            continue
        value = clean_text(fields[field], single_line=field in SINGLE_LINE)
        if len(value) > LIMITS[field]:
            raise too_long(field, LIMITS[field])
        changes[field] = value
    if "display_name" in changes and not changes["display_name"]:
        raise DomainError("missing_name", _l("A name is needed."), field="display_name")
    if changes.get("email"):
        changes["email"] = checked_email(changes["email"])
    if "links" in fields:
        links = [as_web_link(clean_text(link, single_line=True))
                 for link in fields["links"] or []]
        links = [link for link in links if link]
        if len(links) > MAX_LINKS:
            raise DomainError("too_many_links", _l("At most %(n)d links.", n=MAX_LINKS),
                              field="links")
        for link in links:
            if not is_web_link(link):
                raise DomainError("bad_link", _l("A link starts with https:// or http://, has "
                                                 "no spaces and holds at most %(limit)d "
                                                 "characters.", limit=LIMITS["link"]),
                                  field="links", link=link[:100])
        changes["links"] = links
    for flag in CARD_FLAGS:
        if flag in fields:
            changes[flag] = bool(fields[flag])
    if "language" in fields:
        changes["language"] = fields["language"] if fields["language"] in LANGUAGES else None
    for field, value in changes.items():
        setattr(person, field, value)
    if photo is not None:
        faces.replace_photo(person, photo)
    elif remove_photo:
        faces.remove_photo(person)
    for attendee in person.attendees:
        refresh_search_key(attendee)
    db.session.commit()
    return person


def choose_language(person: Person, language: str | None) -> None:
    """``person``'s language: the pages they see and the emails they get. Commits."""
    person.language = checked_language(language)
    db.session.commit()


SINGLE_LINE = ("display_name", "headline", "company", "phone", "email")


def attendees_with_email(event: Event, email: str) -> list[Attendee]:
    """Every attendee of ``event`` invited at ``email`` (two tickets may share one)."""
    email = (email or "").strip().lower()
    if not email:
        return []
    return list(db.session.scalars(
        select(Attendee).join(Person).where(Attendee.event_id == event.id,
                                            Person.email == email)
    ))


def invited_at_open_events(email: str) -> list[Attendee]:
    """Every attendee invited at ``email`` to an event not yet closed, whichever event."""
    email = (email or "").strip().lower()
    if not email:
        return []
    return list(db.session.scalars(
        select(Attendee).join(Person).join(Event, Event.id == Attendee.event_id)
        .where(Person.email == email, Event.state != EventState.CLOSED.value)
    ))


def join_as_walk_in(event: Event, name: str, email: str,
                    language: str | None = None) -> list[Attendee]:
    """A walk-in asks to join ``event``: the attendees whose sign-in link to email now.

    Nobody is signed in on an address they have not shown they read: the phone signs in
    by opening the emailed link. An address already registered at the event gets its own
    attendees' links, whatever name was typed, so a second person is never registered (nor
    signed in) on someone else's address; else a new walk-in is registered. Either way the
    answer reads the same, so the page never tells whether someone is registered.
    """
    if not event.walk_ins_allowed:
        raise DomainError("no_walk_ins", _l("This event does not take walk-ins."), status=404)
    require_open(event)
    name = clean_text(name, single_line=True)
    if not name:
        raise DomainError("missing_name", _l("A name is needed."), field="display_name")
    if len(name) > LIMITS["display_name"]:
        raise too_long("display_name", LIMITS["display_name"])
    email = checked_email(email)
    if not email:
        raise DomainError("bad_email", _l("This is not a valid email address."), field="email")
    # Read and register under the write lock, or three taps at once make two walk-ins.
    lock_event_for_writing(event.id)
    registered = attendees_with_email(event, email)
    if registered:
        db.session.commit()  # nothing to write: let the lock go
        return registered
    return [register_attendee(event, display_name=name, email=email,
                              source=AttendeeSource.WALK_IN,
                              language=language if language in LANGUAGES else None)]
