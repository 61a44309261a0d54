"""What of a person's card each viewer sees: the public part, and the contact details shared."""

import re
from urllib.parse import urlsplit

from checkin.people.models import LIMITS, MAX_LINKS, Person

# Fields anyone holding the card code may read: what someone does, never how to reach them.
PUBLIC_FIELDS = ("display_name", "headline", "company", "what_i_do", "offer", "need", "pitch")
SINGLE_LINE_FIELDS = ("display_name", "first_name", "last_name", "headline", "company", "phone",
                      "email")


_SPACE = re.compile(r"\s")  # what str.isspace() calls a space, found in one C call


def public_card(person: Person) -> dict:
    """The part of a card shown to anyone holding its code (no contact details)."""
    return {field: getattr(person, field) or "" for field in PUBLIC_FIELDS}


def shared_contact(person: Person) -> dict:
    """The contact details ``person`` shares with the people they connect with.

    Only the keys that are shared and not empty: ``email`` (str), ``phone`` (str),
    ``links`` (list of str).
    """
    contact: dict = {}
    if person.share_email and person.email:
        contact["email"] = person.email
    if person.share_phone and person.phone:
        contact["phone"] = person.phone
    links = [link for link in (person.links or []) if is_web_link(link)]
    if person.share_links and links:
        contact["links"] = links[:MAX_LINKS]
    return contact


def is_web_link(text: str) -> bool:
    """An absolute http(s) URL with a host and no spaces or credentials."""
    if not text or len(text) > LIMITS["link"] or _SPACE.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and "@" not in parts.netloc)


# "zoe.design" or "linkedin.com/in/zoe": a host with a dot, no scheme, nothing but URL text.
_BARE_DOMAIN = re.compile(r"[^\s/:@]+\.[a-z]{2,}(?:[/?#]\S*)?", re.IGNORECASE)


def as_web_link(text: str) -> str:
    """A link as typed, with ``https://`` in front when it is a bare domain: people type
    "zoe.design" far more often than "https://zoe.design". Anything else is left as is."""
    text = (text or "").strip()
    if text and "://" not in text and _BARE_DOMAIN.fullmatch(text):
        return "https://" + text
    return text


def link_label(url: str) -> str:
    """A link as shown on a card: host and path, without the scheme or a trailing slash."""
    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/") or url
