"""Turning an uploaded guest-list file into a table: encoding, delimiter, rows with line numbers.

Pure functions: bytes in (CSV or TSV text, or an Excel .xlsx workbook), a ``Table`` out, or a
``DomainError`` a person can act on.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from checkin.errors import DomainError

MAX_ROWS = 50_000
DELIMITERS = ",;\t|"
NOT_TEXT = _l("This is not a text file. Save the guest list as CSV (comma- or tab-separated) "
              "and upload that.")
NOT_A_WORKBOOK = _l("This Excel file could not be read. Save it again as .xlsx, or as CSV, and "
                    "upload that.")
WORKBOOK = b"PK\x03\x04"  # an .xlsx is a zip archive
XLSX = "xlsx"  # the "encoding" and "delimiter" a table read from a workbook reports


@dataclass
class Table:
    headers: list[str]
    # (line number in the file where the row starts, the row's cells)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was in: UTF-8 (with or without BOM), UTF-16 with
    a BOM (Excel's "Unicode text"), else Windows-1252 (Excel's re-save on Windows)."""
    if not data.strip():
        raise DomainError("empty_file", _l("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise DomainError("binary_file", NOT_TEXT)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        if _looks_binary(text) or "\x00" in text:
            raise DomainError("binary_file", NOT_TEXT) from None
        return text, "windows-1252"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\r\n\t")
    return controls > len(sample) / 50


def sniff_delimiter(header_line: str) -> str:
    """The delimiter the header line uses most (outside quotes): comma, semicolon, tab, pipe."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(data: bytes) -> Table:
    """The header row and every non-blank row, each with the line it starts on."""
    if data.startswith(WORKBOOK):
        return read_workbook(data)
    text, encoding = decode(data)
    if _looks_binary(text) or "\x00" in text:
        raise DomainError("binary_file", NOT_TEXT)
    text = text.lstrip("\ufeff")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = Table(headers=[], encoding=encoding, delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if not table.headers:
                table.headers = [c.strip().lstrip("\ufeff") for c in cells]
                continue
            table.rows.append((start, cells))
            if len(table.rows) > MAX_ROWS:
                raise _too_many_rows()
    except csv.Error as error:
        raise DomainError("bad_csv", _l("Line %(line)d: the file is not valid CSV "
                                        "(%(error)s).", line=reader.line_num,
                                        error=error)) from error
    return _complete(table)


def _complete(table: Table) -> Table:
    if not table.headers:
        raise DomainError("empty_file", _l("The file is empty."))
    if not table.rows:
        raise DomainError("no_rows", _l("The file has a header row but no guests."))
    return table


def _too_many_rows() -> DomainError:
    return DomainError("too_many_rows", _l("The file has more than %(rows)d rows; split it.",
                                           rows=MAX_ROWS))


def read_workbook(data: bytes) -> Table:
    """The first sheet of an Excel workbook: its first non-blank row is the header; each row
    keeps its row number, as Excel shows it."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        table = Table(headers=[], encoding=XLSX, delimiter=XLSX)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if not any(c.strip() for c in cells):
                continue
            if not table.headers:
                table.headers = [c.strip() for c in cells]
                continue
            table.rows.append((number, cells))
            if len(table.rows) > MAX_ROWS:
                raise _too_many_rows()
        book.close()
    except DomainError:
        raise
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError, OSError) as error:
        raise DomainError("binary_file", NOT_A_WORKBOOK) from error
    return _complete(table)


def cell_text(value) -> str:
    """A workbook cell as the text it shows: 600123123 (not 600123123.0), dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
