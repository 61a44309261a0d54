"""The follow-up's "I'd like to meet" link: a signed (asker, person) pair, so it needs no
stored secret and no session, and nobody can make one for another pair."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from checkin.extensions import db
from checkin.people.models import Attendee

SALT = "meeting-requests-ask"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ask_token(asker_id: int, target_id: int) -> str:
    return _serializer().dumps([asker_id, target_id])


def ask_url(asker_id: int, target_id: int) -> str:
    """The link a follow-up puts under a suggestion: ``asker`` asks to meet ``target``."""
    return f"{current_app.config['CHECKIN_BASE_URL']}/r/{ask_token(asker_id, target_id)}"


def pair_for_token(token: str) -> tuple[Attendee, Attendee] | None:
    """The (asker, target) a token names, or None for a forged, damaged or stale one."""
    try:
        pair = _serializer().loads(token[:200])
    except BadSignature:
        return None
    if not (isinstance(pair, list) and len(pair) == 2
            and all(isinstance(i, int) and 0 < i < 2**31 for i in pair)):
        return None
    asker, target = db.session.get(Attendee, pair[0]), db.session.get(Attendee, pair[1])
    if asker is None or target is None or asker.event_id != target.event_id:
        return None
    return asker, target
