"""Organizer accounts: creating them, signing in, roles and API tokens."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app, g, has_app_context
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from checkin import ratelimit
from checkin.accounts.models import ApiToken, EventRole, Organizer, Role, StaffInvitation
from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.ratelimit import Backoff
from checkin.tokens import hash_secret, new_secret, new_session_key

MIN_PASSWORD_LENGTH = 8
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
API_TOKEN_PREFIX = "ck_"  # noqa: S105 (a prefix, not a secret)
# Bad passwords slow down one account from one address: a typo costs nothing, guessing gets
# slower and slower, and nobody elsewhere (the owner at home, colleagues on the venue's
# Wi-Fi) is ever locked out by someone else's guesses.
LOGIN_BACKOFF = Backoff(free=5, first_wait=timedelta(seconds=2),
                        longest_wait=timedelta(minutes=15), forget_after=timedelta(days=1))
# A ceiling per address, far above what a room of organizers types, so that one client
# cannot keep the server busy hashing passwords (each check costs a quarter of a second).
LOGIN_PER_ADDRESS = 300
LOGIN_WINDOW = timedelta(minutes=10)


def normalize_email(text: str) -> str:
    """An address as stored: syntax checked, lower-cased. Raises DomainError('bad_email')."""
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError("bad_email", _l("Not a valid email address: %(email)s.",
                                          email=text.strip())) from error
    return checked.normalized.lower()


def hash_password(password: str) -> str:
    """A current, slow hash (scrypt). Tests may set PASSWORD_HASH_METHOD to a cheap one."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() \
        else "scrypt"
    return generate_password_hash(password, method=method)


def check_password(password: str) -> None:
    """Refuses an empty or short password."""
    if not password or not password.strip():
        raise DomainError("empty_password", _l("The password is empty."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "short_password", _l("The password needs at least %(n)d characters.",
                                 n=MIN_PASSWORD_LENGTH)
        )


def create_organizer(email: str, password: str, name: str = "") -> Organizer:
    """A new console account. Refuses a bad or taken email and a short password."""
    email = normalize_email(email)
    check_password(password)
    if db.session.scalar(select(Organizer.id).filter_by(email=email)) is not None:
        raise DomainError("email_taken", _l("An organizer with the email %(email)s already exists.",
                                             email=email),
                          status=409)
    organizer = Organizer(email=email, password_hash=hash_password(password), name=name)
    db.session.add(organizer)
    db.session.commit()
    return organizer


def find_organizer(email: str) -> Organizer:
    organizer = db.session.scalar(select(Organizer).filter_by(email=email.strip().lower()))
    if organizer is None:
        raise DomainError("unknown_organizer", _l("No organizer has the email %(email)s.",
                                                       email=email.strip()),
                          status=404)
    return organizer


def authenticate(email: str, password: str) -> Organizer | None:
    """The organizer with these credentials, or None. Spends the same time either way."""
    organizer = db.session.scalar(select(Organizer).filter_by(email=email.strip().lower()))
    stored = organizer.password_hash if organizer else _DUMMY_HASH
    if check_password_hash(stored, password) and organizer is not None:
        return organizer
    return None


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def sign_in_attempt(email: str, password: str, address: str) -> Organizer:
    """The organizer with these credentials, signing in from ``address``.

    Refusals: ``bad_login`` (401), or ``too_many_attempts`` (429, ``retry_after`` in
    seconds) once this account has failed too often from this address (see LOGIN_BACKOFF)
    or this address has tried too often in all (LOGIN_PER_ADDRESS). The same for an email
    that has no account, so the answers tell nobody which accounts exist.
    """
    email = email.strip().lower()
    pair = "login:" + hash_secret(f"{email}\n{address}")  # no typed email kept in clear
    if not ratelimit.allow(f"login:ip:{address}", LOGIN_PER_ADDRESS, LOGIN_WINDOW):
        raise _too_many_attempts(LOGIN_WINDOW)
    wait = ratelimit.claim_attempt(pair, LOGIN_BACKOFF)
    if wait:
        raise _too_many_attempts(wait)
    organizer = authenticate(email, password)
    if organizer is None:
        raise DomainError("bad_login", _l("That email and password do not match."), status=401)
    ratelimit.forget_attempts(pair)
    return organizer


def _too_many_attempts(wait: timedelta) -> DomainError:
    seconds = max(1, round(wait.total_seconds()))
    when = format_timedelta(timedelta(seconds=seconds), add_direction=True, threshold=1.1)
    return DomainError("too_many_attempts", _l("Too many attempts. Try again %(when)s.",
                                               when=when),
                       status=429, retry_after=seconds)


def organizer_for_session(session_id: str) -> Organizer | None:
    """The organizer a console session or "remember me" cookie names ("id:session key").

    The key, not the id, proves it: a new password or "sign out everywhere" replaces the
    key and so ends every session, and a session of a deleted account never names another.
    """
    organizer_id, _, key = (session_id or "").partition(":")
    if not organizer_id.isdigit() or len(organizer_id) > 18 or not key:
        return None
    organizer = db.session.get(Organizer, int(organizer_id))
    if organizer is None or not secrets.compare_digest(organizer.session_key, key):
        return None
    return organizer


def set_password(organizer: Organizer, password: str) -> None:
    """A new password; every console session of ``organizer`` ends, here and elsewhere."""
    check_password(password)
    organizer.password_hash = hash_password(password)
    organizer.session_key = new_session_key()
    db.session.commit()


def sign_out_everywhere(organizer: Organizer) -> None:
    """Every console session of ``organizer`` ends, remembered ones included."""
    organizer.session_key = new_session_key()
    db.session.commit()


def grant_role(organizer: Organizer, event: Event, role: Role) -> EventRole:
    """Give ``organizer`` ``role`` in ``event`` (replacing any role they had there). Commits."""
    granted = give_role(organizer, event, role)
    db.session.commit()
    return granted


def give_role(organizer: Organizer, event: Event, role: Role) -> EventRole:
    """``grant_role`` inside the caller's transaction (only added to the session)."""
    granted = db.session.scalar(
        select(EventRole).filter_by(organizer_id=organizer.id, event_id=event.id)
    )
    if granted is None:
        granted = EventRole(organizer=organizer, event_id=event.id, role=role.value)
        db.session.add(granted)
    else:
        granted.role = role.value
    return granted


def role_in(organizer: Organizer, event: Event) -> str | None:
    return db.session.scalar(
        select(EventRole.role).filter_by(organizer_id=organizer.id, event_id=event.id)
    )


def events_with_role(organizer: Organizer) -> list[tuple[Event, str]]:
    """(event, role) for every event ``organizer`` holds a role in, newest first."""
    return db.session.execute(
        select(Event, EventRole.role)
        .join(EventRole, EventRole.event_id == Event.id)
        .where(EventRole.organizer_id == organizer.id)
        .order_by(Event.starts_at.desc())
    ).all()


def remember_language(organizer: Organizer, language: str) -> None:
    """Keep the language ``organizer`` reads the console in: emails to them (the event's
    summary) then speak it rather than the event's."""
    from checkin.i18n import LANGUAGES

    if language in LANGUAGES and organizer.language != language:
        organizer.language = language
        db.session.commit()


def is_door_staff_only(organizer: Organizer) -> bool:
    """Whether every role ``organizer`` holds is door staff: a volunteer's account, made from
    a door invitation. They work the door; new events and API tokens are for organizers who
    run events (an account with no role yet was made to run one)."""
    roles = set(db.session.scalars(
        select(EventRole.role).filter_by(organizer_id=organizer.id).distinct()))
    return roles == {Role.DOOR.value}


def require_event_runner(organizer: Organizer) -> None:
    """Refuse door staff what only those who run events may do (create one, API tokens)."""
    if is_door_staff_only(organizer):
        raise DomainError("door_staff_only",
                          _l("Door staff work the door: creating events and API tokens is for "
                             "the event's owners."), status=403)


def event_for(organizer, slug: str, roles=(Role.OWNER,)) -> Event:
    """The event ``slug`` if ``organizer`` holds one of ``roles`` in it.

    Any other case (no such event, someone else's event, a lesser role) is the
    same 404, so nobody learns which events exist.
    """
    return event_and_role_for(organizer, slug, roles)[0]


@cache
def _event_and_role_query():
    """Built once: every console and API page of an event runs it (building a statement
    costs more than running it)."""
    return (select(Event, EventRole.role).join(EventRole, EventRole.event_id == Event.id)
            .where(Event.slug == bindparam("slug"),
                   EventRole.organizer_id == bindparam("organizer"),
                   EventRole.role.in_(bindparam("roles", expanding=True))))


def event_and_role_for(organizer, slug: str, roles=(Role.OWNER,)) -> tuple[Event, str]:
    """Like :func:`event_for`, with the role ``organizer`` holds there, in the same query (or
    from what :func:`read_organizer_with_event` read with the organizer for this request)."""
    found = None
    if organizer is not None and getattr(organizer, "is_authenticated", False):
        read = g.pop(EVENT_ACCESS, None) if has_app_context() else None
        if read is not None and read[0].id == organizer.id and read[1] == slug:
            _organizer, _slug, event, role = read
            found = (event, role) if role in {str(r) for r in roles} else None
        else:
            found = db.session.execute(_event_and_role_query(), {
                "slug": slug, "organizer": organizer.id,
                "roles": [str(r) for r in roles]}).first()
    if found is None:
        raise DomainError("not_found", _l("No such event."), status=404)
    return found[0], found[1]


# flask.g: (the organizer, slug, the event or None, their role there or None), read by
# read_organizer_with_event and taken by the page's event_and_role_for. Holding the organizer
# keeps it in the session's identity map (which holds objects weakly) until the loader asks.
EVENT_ACCESS = "checkin_event_access"


@cache
def _organizer_with_event_query():
    """Built once: the organizer, the event ``slug`` and the organizer's role there (None for
    none), one row whatever the event and the role."""
    return (select(Organizer, Event, EventRole.role).select_from(Organizer)
            .outerjoin(Event, Event.slug == bindparam("slug"))
            .outerjoin(EventRole, and_(EventRole.event_id == Event.id,
                                       EventRole.organizer_id == Organizer.id))
            .where(Organizer.id == bindparam("organizer")))


def read_organizer_with_event(session_id: str | None, slug: str) -> None:
    """Read the organizer a console session names (see :func:`organizer_for_session`), the
    event ``slug`` and their role there in one statement, for a page of that event that then
    asks for each: Flask-Login's loader finds the organizer already in the session (no
    statement), and :func:`event_and_role_for` takes the event and role read with it.

    Nothing is decided here: the session key is still compared by the loader, the role by
    ``event_and_role_for``, and a session naming nobody reads nothing more."""
    organizer_id, _, key = (session_id or "").partition(":")
    if not organizer_id.isdigit() or len(organizer_id) > 18 or not key:
        return
    found = db.session.execute(_organizer_with_event_query(), {
        "organizer": int(organizer_id), "slug": slug}).first()
    if found is not None:
        organizer, event, role = found
        setattr(g, EVENT_ACCESS, (organizer, slug, event if role else None, role))


def forget_organizer_with_event(_error=None) -> None:
    """What ``read_organizer_with_event`` read is for its own request only."""
    g.pop(EVENT_ACCESS, None)


def issue_api_token(organizer: Organizer, label: str = "") -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is kept."""
    secret = API_TOKEN_PREFIX + new_secret()
    token = ApiToken(
        organizer=organizer, prefix=secret[:10], token_hash=hash_secret(secret), label=label
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


@cache
def _token_query():
    """Built once (every API request runs it; building costs more than running it). The
    token's id and last use, not the token: only the organizer is wanted whole."""
    return (select(ApiToken.id, ApiToken.last_used_at, Organizer)
            .join(Organizer, Organizer.id == ApiToken.organizer_id)
            .where(ApiToken.token_hash == bindparam("hash"), ApiToken.revoked_at.is_(None)))


def organizer_for_token(secret: str) -> Organizer | None:
    """The organizer an unrevoked API token belongs to, or None."""
    found = db.session.execute(_token_query(), {"hash": hash_secret(secret)}).first()
    if found is None:
        return None
    token_id, last_used_at, organizer = found
    _touch_token(token_id, last_used_at)
    return organizer


@dataclass(frozen=True)
class EventAtDoor:
    """What a scan reads of its event: its id, start and end."""

    id: int
    starts_at: datetime
    ends_at: datetime


@cache
def token_and_event_query(held_roles: int):
    """Built once per number of roles (every check-in by API runs it): the token's organizer
    and, if they hold one of the roles ``role_0``, ``role_1`` … there, the event ``slug`` and
    their role, as plain columns (the first :data:`TOKEN_AND_EVENT_COLUMNS`, read by
    :func:`token_and_event_from`). The roles are bound one by one: a list bound whole is
    spliced into the statement's text at every run. A scan by API reads its guest in the same
    statement (``checkin.door.services.check_in_with_token``), joined to ``events.id``."""
    tokens, events, roles = ApiToken.__table__, Event.__table__, EventRole.__table__
    any_of = roles.c.role.in_([bindparam(f"role_{n}") for n in range(held_roles)])
    held = events.join(roles, and_(roles.c.event_id == events.c.id, any_of))
    theirs = and_(events.c.slug == bindparam("slug"),
                  roles.c.organizer_id == tokens.c.organizer_id)
    return (select(tokens.c.id, tokens.c.last_used_at, tokens.c.organizer_id, events.c.id,
                   events.c.starts_at, events.c.ends_at, roles.c.role)
            .select_from(tokens.outerjoin(held, theirs))
            .where(tokens.c.token_hash == bindparam("hash"), tokens.c.revoked_at.is_(None)))


TOKEN_AND_EVENT_COLUMNS = 7


def token_and_event_params(secret: str, slug: str, roles) -> dict:
    """What :func:`token_and_event_query` runs with."""
    return {"hash": hash_secret(secret), "slug": slug,
            **{f"role_{n}": str(role) for n, role in enumerate(roles)}}


def token_and_event_for(secret: str, slug: str,
                        roles=(Role.OWNER,)) -> tuple[int, EventAtDoor, str] | None:
    """An API token and the event it is used for, in one statement (a door scanning all
    evening pays for one): the token's organizer's id, the event ``slug`` and their role
    there. None for no valid token; the 404 of :func:`event_for` for an event they do not
    hold one of ``roles`` in."""
    # A plain statement, on the session's connection: nothing for the ORM session to do.
    found = db.session.connection().execute(token_and_event_query(len(roles)),
                                            token_and_event_params(secret, slug, roles)).first()
    return None if found is None else token_and_event_from(found)


def token_and_event_from(row) -> tuple[int, EventAtDoor, str]:
    """:func:`token_and_event_for`'s answer, from a row that begins with the columns of
    :func:`token_and_event_query`: the token is marked used (at most once a minute), and an
    event the organizer holds none of the roles in is the 404 of :func:`event_for`."""
    token_id, last_used_at, organizer_id, event_id, starts_at, ends_at, role = \
        row[:TOKEN_AND_EVENT_COLUMNS]
    _touch_token(token_id, last_used_at)
    if event_id is None:
        raise DomainError("not_found", _l("No such event."), status=404)
    return organizer_id, EventAtDoor(event_id, starts_at, ends_at), role


def _touch_token(token_id: int, last_used_at: datetime | None) -> None:
    now = now_utc()
    # Written at most once a minute: a door scanning all evening must not write per scan.
    if last_used_at is None or now - last_used_at > TOKEN_TOUCH_INTERVAL:
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id)
                           .values(last_used_at=now).execution_options(synchronize_session=False))
        db.session.commit()


def api_tokens_of(organizer: Organizer) -> list[ApiToken]:
    """The organizer's API tokens, revoked ones included, newest first."""
    return db.session.scalars(
        select(ApiToken).filter_by(organizer_id=organizer.id).order_by(ApiToken.id.desc())
    ).all()


def revoke_api_token(organizer: Organizer, token_id: int) -> None:
    token = db.session.scalar(select(ApiToken).filter_by(id=token_id, organizer_id=organizer.id))
    if token is None:
        raise DomainError("not_found", _l("No such token."), status=404)
    if token.revoked_at is None:
        token.revoked_at = now_utc()
        db.session.commit()


STAFF_INVITATION_LIFETIME = timedelta(days=7)


def invite_staff(event: Event, email: str, role: Role, invited_by: Organizer):
    """A one-time link that gives its holder ``role`` in ``event``; returns (invitation,
    secret). The secret is shown once and emailed; only its hash is kept."""
    invitation = StaffInvitation(
        event_id=event.id, email=normalize_email(email), role=Role(role).value,
        token_hash="", invited_by_id=invited_by.id,
        expires_at=now_utc() + STAFF_INVITATION_LIFETIME)
    secret = new_secret()
    invitation.token_hash = hash_secret(secret)
    db.session.add(invitation)
    db.session.commit()
    return invitation, secret


def staff_invitation_language(email: str, chosen: str | None) -> str:
    """The language a staff invitation to ``email`` is written in: the language of the
    account the address already has, if it has one (the invitee chose it), else ``chosen``
    (the inviter's pick for this invitation), else English."""
    from checkin.i18n import LANGUAGES

    account = db.session.scalar(select(Organizer.language)
                                .filter_by(email=normalize_email(email)))
    if account in LANGUAGES:
        return account
    return chosen if chosen in LANGUAGES else "en"


def staff_invitation_for(secret: str):
    """The unused, unexpired invitation a link carries, or a 404 refusal."""
    invitation = db.session.scalar(
        select(StaffInvitation).filter_by(token_hash=hash_secret(secret or "")))
    if invitation is None or invitation.used_at is not None \
            or invitation.expires_at < now_utc():
        raise _invitation_invalid()
    return invitation


def _invitation_invalid() -> DomainError:
    return DomainError("invitation_invalid", _l("This invitation link was used already, "
                                                "has expired or was withdrawn."), status=404)


def accept_staff_invitation(secret: str, organizer: Organizer, *,
                            other_address: bool = False) -> EventRole:
    """Use the link: ``organizer`` gets the role (an owner is never demoted by it).

    The link is claimed with one conditional UPDATE (``used_at IS NULL``) and its row
    count: two accounts accepting at once never both get the role. An account whose
    email is not the invited address must say it accepts for itself (``other_address``).
    """
    invitation = staff_invitation_for(secret)
    if invitation.email != organizer.email and not other_address:
        raise DomainError("invitation_for_another_address",
                          _l("This invitation was sent to %(email)s.", email=invitation.email),
                          status=409, invited=invitation.email)
    now = now_utc()
    claimed = db.session.execute(
        update(StaffInvitation)
        .where(StaffInvitation.id == invitation.id, StaffInvitation.used_at.is_(None),
               StaffInvitation.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise _invitation_invalid()
    event = db.session.get(Event, invitation.event_id)
    current = role_in(organizer, event)
    role = Role.OWNER if Role.OWNER.value in (current, invitation.role) else Role(invitation.role)
    return grant_role(organizer, event, role)


def withdraw_staff_invitation(event: Event, invitation_id: int) -> None:
    invitation = db.session.get(StaffInvitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        raise DomainError("not_found", _l("No such invitation."), status=404)
    db.session.delete(invitation)
    db.session.commit()


def remove_role(event: Event, organizer_id: int) -> None:
    """Take someone's role in ``event`` away; an event always keeps one owner."""
    granted = db.session.scalar(select(EventRole).filter_by(event_id=event.id,
                                                            organizer_id=organizer_id))
    if granted is None:
        raise DomainError("not_found", _l("No such person on the team."), status=404)
    owners = db.session.scalars(select(EventRole.organizer_id).filter_by(
        event_id=event.id, role=Role.OWNER.value)).all()
    if granted.role == Role.OWNER and len(owners) == 1:
        raise DomainError("last_owner", _l("An event needs at least one owner."), status=409)
    db.session.delete(granted)
    db.session.commit()
