"""Text folding for search and matching (accents and case do not matter); safe CSV."""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator

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


def contains_pattern(text: str) -> str:
    """A LIKE pattern (with ``escape="\\"``) matching any value that contains ``text``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


CSV_BOM = "\ufeff"  # tells Excel the file is UTF-8


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 CSV with a BOM and CRLF line ends, every cell made safe; one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_cell(c) for c in cells])
        return buffer.getvalue()

    yield CSV_BOM + line(header)
    for row in rows:
        yield line(row)


def is_local_path(target: str | None) -> bool:
    """Whether ``target`` is a path on this site, safe to redirect to after a form.

    Judged as a browser reads it: "//host" and "/\\host" are other sites, and a browser drops
    tabs and newlines from a URL ("/<tab>/host" is "//host"), so nothing unprintable passes.
    """
    return bool(target) and target.startswith("/") and not target.startswith(("//", "/\\")) \
        and "\\" not in target and target.isprintable()
