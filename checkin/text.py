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


# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def spreadsheet_cell(value) -> str:
    """A value as a spreadsheet cell that can never run as a formula: "=1+1" → "'=1+1"."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def is_local_path(target: str | None) -> bool:
    """Whether ``target`` is a path on this site, safe to redirect to after a form.

    "//host" and "/\\host" are other sites to a browser.
    """
    return bool(target) and target.startswith("/") and not target.startswith(("//", "/\\")) \
        and "\\" not in target
