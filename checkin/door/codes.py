"""What a scanned value says, and how the door matches a card without holding card codes.

``static/js/door/codes.js`` reads codes the same way on the door device, offline;
a browser test runs both over one table of inputs.
"""

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from flask import current_app

from checkin.events.models import Event
from checkin.tokens import CARD_CODE_ALPHABET, CARD_CODE_LENGTH, normalize_card_code

# The door keeps 32 bits of a keyed hash per card. Among an event's 10,000 guests two
# share one about once in a hundred events (the device then asks for a hand check), and
# each hash fits 2^18 of the 2^50 possible codes: the roster cannot be turned back into
# the codes that open a card, by any amount of computing.
CARD_HASH_HEX = 8


def codes_in(scanned: str) -> tuple[str | None, str]:
    """The card code (if the value can be one) and the ticket code a scanned value carries.

    Accepts our card URL (any case), a bare card code, a Luma check-in URL
    (its ``pk``) and any other ticket code as printed.
    """
    value = scanned.strip()
    ticket_code = value
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) >= 2 and segments[-2].lower() == "c":
            value = segments[-1]
        else:
            pk = parse_qs(parts.query).get("pk")
            ticket_code = value = pk[0] if pk else value
    card = normalize_card_code(value)
    is_card = len(card) == CARD_CODE_LENGTH and all(c in CARD_CODE_ALPHABET for c in card)
    return (card if is_card else None), ticket_code


def ticket_url_key(scanned: str) -> str | None:
    """A ticket URL (``https://ti.to/tickets/ti_XXXX``) as the door matches it: host (lower
    case) and path, without scheme, query or trailing slash; None for anything else, our
    card URLs included."""
    parts = urlsplit(scanned.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if codes_in(scanned)[0] is not None:
        return None
    path = parts.path.rstrip("/")
    return f"{parts.hostname}{path}"[:300] if path else None


def same_code(first: str, second: str) -> bool:
    """Whether two scanned values name the same card or ticket (a URL and its bare code do)."""
    first_card, first_ticket = codes_in(first)
    second_card, second_ticket = codes_in(second)
    if first_card or second_card:
        return first_card == second_card
    return first_ticket == second_ticket


def door_key(event: Event) -> str:
    """The event's key for card hashes: the same on every door device, different per event."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"door-cards:{event.id}".encode(), hashlib.sha256).hexdigest()[:32]


def card_hash(key: str, card_code: str) -> str:
    """What the door device keeps of a card code (the script computes it the same way)."""
    return hashlib.sha256(f"{key}:{card_code}".encode()).hexdigest()[:CARD_HASH_HEX]
