"""Organizer accounts: creating them, signing in, roles and API tokens."""

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from checkin.accounts.models import ApiToken, EventRole, Organizer, Role
from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.tokens import hash_secret, new_secret

MIN_PASSWORD_LENGTH = 8
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
API_TOKEN_PREFIX = "ck_"  # noqa: S105 (a prefix, not a secret)


def normalize_email(text: str) -> str:
    """An address as stored: syntax checked, lower-cased. Raises DomainError('bad_email')."""
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError("bad_email", f"Not a valid email address: {text.strip()!r}.") from error
    return checked.normalized.lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def create_organizer(email: str, password: str, name: str = "") -> Organizer:
    """A new console account. Refuses a bad or taken email and a short password."""
    email = normalize_email(email)
    if not password or not password.strip():
        raise DomainError("empty_password", "The password is empty.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "short_password", f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
        )
    if db.session.scalar(select(Organizer.id).filter_by(email=email)) is not None:
        raise DomainError("email_taken", f"An organizer with the email {email} already exists.",
                          status=409)
    organizer = Organizer(email=email, password_hash=hash_password(password), name=name)
    db.session.add(organizer)
    db.session.commit()
    return organizer


def find_organizer(email: str) -> Organizer:
    organizer = db.session.scalar(select(Organizer).filter_by(email=email.strip().lower()))
    if organizer is None:
        raise DomainError("unknown_organizer", f"No organizer has the email {email.strip()}.",
                          status=404)
    return organizer


def authenticate(email: str, password: str) -> Organizer | None:
    """The organizer with these credentials, or None. Spends the same time either way."""
    organizer = db.session.scalar(select(Organizer).filter_by(email=email.strip().lower()))
    stored = organizer.password_hash if organizer else _DUMMY_HASH
    if check_password_hash(stored, password) and organizer is not None:
        return organizer
    return None


_DUMMY_HASH = hash_password("not-a-real-password")


def grant_role(organizer: Organizer, event: Event, role: Role) -> EventRole:
    """Give ``organizer`` ``role`` in ``event`` (replacing any role they had there)."""
    granted = db.session.scalar(
        select(EventRole).filter_by(organizer_id=organizer.id, event_id=event.id)
    )
    if granted is None:
        granted = EventRole(organizer=organizer, event_id=event.id, role=role.value)
        db.session.add(granted)
    else:
        granted.role = role.value
    db.session.commit()
    return granted


def role_in(organizer: Organizer, event: Event) -> str | None:
    return db.session.scalar(
        select(EventRole.role).filter_by(organizer_id=organizer.id, event_id=event.id)
    )


def event_for(organizer, slug: str, roles=(Role.OWNER,)) -> Event:
    """The event ``slug`` if ``organizer`` holds one of ``roles`` in it.

    Any other case (no such event, someone else's event, a lesser role) is the
    same 404, so nobody learns which events exist.
    """
    event = None
    if organizer is not None and getattr(organizer, "is_authenticated", False):
        event = db.session.scalar(
            select(Event)
            .join(EventRole, EventRole.event_id == Event.id)
            .where(
                Event.slug == slug,
                EventRole.organizer_id == organizer.id,
                EventRole.role.in_([str(r) for r in roles]),
            )
        )
    if event is None:
        raise DomainError("not_found", "No such event.", status=404)
    return event


def issue_api_token(organizer: Organizer, label: str = "") -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is kept."""
    secret = API_TOKEN_PREFIX + new_secret()
    token = ApiToken(
        organizer=organizer, prefix=secret[:10], token_hash=hash_secret(secret), label=label
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def organizer_for_token(secret: str) -> Organizer | None:
    """The organizer an unrevoked API token belongs to, or None."""
    token = db.session.scalar(
        select(ApiToken).filter_by(token_hash=hash_secret(secret), revoked_at=None)
    )
    if token is None:
        return None
    now = now_utc()
    # Written at most once a minute: a door scanning all evening must not write per scan.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now
        db.session.commit()
    return token.organizer


def revoke_api_token(organizer: Organizer, token_id: int) -> None:
    token = db.session.scalar(select(ApiToken).filter_by(id=token_id, organizer_id=organizer.id))
    if token is None:
        raise DomainError("not_found", "No such token.", status=404)
    if token.revoked_at is None:
        token.revoked_at = now_utc()
        db.session.commit()
