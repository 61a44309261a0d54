"""Text folding for search and matching: accents and case do not matter."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: "Núñez  " → "nunez"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def slugify(text: str, max_length: int = 60) -> str:
    """A URL word from a name: "Café Networking 2026" → "cafe-networking-2026"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "event"
