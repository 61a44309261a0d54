"""Secrets handed to people (sign-in links, API tokens) and the public card codes."""

import hashlib
import re
import secrets

# Crockford's base32: upper case digits and letters without I, L, O, U. Every
# character is in QR's alphanumeric set, and none is easy to misread when typed.
CARD_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CARD_CODE_LENGTH = 10  # 50 bits: unguessable among any number of events
# Typed codes: the letters people type for a digit, and what they put between groups.
CARD_CODE_LOOKALIKES = {"O": "0", "I": "1", "L": "1"}
CARD_CODE_SEPARATORS = r"[\s-]"
_SEPARATORS = re.compile(CARD_CODE_SEPARATORS)
_LOOKALIKES = str.maketrans(CARD_CODE_LOOKALIKES)


def new_card_code() -> str:
    return "".join(secrets.choice(CARD_CODE_ALPHABET) for _ in range(CARD_CODE_LENGTH))


def normalize_card_code(text: str) -> str:
    """A typed code as stored: upper case, no separators, Crockford's look-alikes mapped."""
    return _SEPARATORS.sub("", text.upper()).translate(_LOOKALIKES)


def card_code_pattern() -> dict:
    """How a card code looks, as data for the scripts that read codes in the browser."""
    return {"alphabet": CARD_CODE_ALPHABET, "length": CARD_CODE_LENGTH,
            "lookalikes": CARD_CODE_LOOKALIKES, "separators": CARD_CODE_SEPARATORS}


def new_secret() -> str:
    """A 192-bit URL-safe secret for sign-in links and invitations."""
    return secrets.token_urlsafe(24)


def new_session_key() -> str:
    """128 random bits, hex: what a signed-in browser's cookie must carry besides an id.

    Each attendee and organizer has one; replacing it signs every browser out.
    """
    return secrets.token_hex(16)


def hash_secret(secret: str) -> str:
    """What the database keeps of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()
