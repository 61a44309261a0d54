"""Text rules: folding for search (accents and case do not matter), cleaning for storage, and
what is safe in a spreadsheet cell or a redirect."""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator

_SPACES = re.compile(r"\s+")
_BLANKS = re.compile(r"[ \t]+")
# Bidi embeddings/overrides/isolates can make text display as something it is not
# ("gpj.exe" shown as "exe.jpg"); plain RTL text and the LRM/RLM marks never need them.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


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


def clean_text(text: str | None, *, single_line: bool = False) -> str:
    """Text as stored: no control or bidi-override characters, trimmed (models.columns applies
    it to every column a person types into, on every write).

    Newlines survive in long fields (a pitch is a few lines) unless ``single_line``.
    """
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text == text.strip() and (
            text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text  # the usual case, at C speed: a bulk import cleans every cell
    if not single_line and _clean_lines(text):
        return text  # several clean lines (a note, a vCard's NOTE): what the loop would leave
    return _cleaned(text, single_line)


def _clean_lines(text: str) -> bool:
    """Whether ``text`` is lines that ``_cleaned`` leaves as they are: each printable, trimmed,
    without a double space; no CR, no more than one blank line in a row, none at either end."""
    return ("\r" not in text and "\n\n\n" not in text and text == text.strip()
            and (text.isascii() or unicodedata.is_normalized("NFC", text))
            and all(line.isprintable() and "  " not in line and line == line.strip()
                    for line in text.split("\n")))


def _cleaned(text: str, single_line: bool) -> str:
    """``clean_text`` character by character."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_BIDI_CONTROLS)
    kept = []
    for char in text:
        if char == "\n":
            kept.append(" " if single_line else "\n")
        elif char == "\t":
            kept.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cs", "Co"):
            kept.append(char)
    lines = [_BLANKS.sub(" ", line).strip() for line in "".join(kept).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
