"""Which system exported a guest list, and how its rows become guests.

Each format is recognised from its headers (folded: no accents, lower case) and maps a
row to a ``Guest`` or to a reason it is not one (cancelled, declined, …). Pure functions.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from flask_babel import lazy_gettext as _l

from checkin.door.codes import ticket_url_key
from checkin.text import fold


def N_(message: str) -> str:  # noqa: N802  (marks a message for extraction; translated later)
    return message


@dataclass
class Guest:
    """One guest as the file describes them."""

    line: int
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    email: str = ""
    company: str = ""
    headline: str = ""
    phone: str = ""
    ticket_code: str = ""
    # A second code the ticket carries: its URL as the door matches it (Tito prints one).
    ticket_url: str = ""
    ticket_type: str = ""
    language: str = ""
    attention_note: str = ""
    links: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    nameless: bool = False  # no name in the file: shown by the email's first part

    @property
    def name(self) -> str:
        return (self.display_name or f"{self.first_name} {self.last_name}").strip()


@dataclass
class Skip:
    """A row that is not a guest, and why (in words a person understands)."""

    line: int
    reason: str


Row = dict[str, str]  # folded header → cell


@dataclass
class Format:
    key: str  # the ticket_source stored with each attendee
    label: str
    matches: Callable[[set[str]], bool]
    read: Callable[[int, Row], "Guest | Skip"]


def cell(row: Row, *names: str) -> str:
    """The first non-blank value among ``names`` (folded header names)."""
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return ""


def question(row: Row, words: tuple[str, ...]) -> str:
    """The answer to a question the organizer added (Luma, Meetup): the first non-blank cell
    whose header mentions one of ``words`` ("What company do you work for?")."""
    for header, value in row.items():
        if value and value.strip() and any(word in header for word in words):
            return value.strip()
    return ""


COMPANY_WORDS = ("company", "empresa", "organization", "organisation", "organizacion",
                 "employer")
LINKEDIN_WORDS = ("linkedin",)


def _links(*values: str) -> list[str]:
    return [v for v in values if v]


NO_NAME = {"info requested", "informacion solicitada"}


def _name(value: str) -> str:
    return "" if fold(value) in NO_NAME else value


def _status_skip(line: int, status: str, refused: dict[str, str]) -> Skip | None:
    reason = refused.get(fold(status))
    return Skip(line, _l(reason)) if reason else None


# --- Eventbrite ---------------------------------------------------------------------------

EVENTBRITE_REFUSED = {
    "not attending": N_("Not attending (Eventbrite)"), "refunded": N_("Refunded (Eventbrite)"),
    "cancelled": N_("Cancelled (Eventbrite)"), "canceled": N_("Cancelled (Eventbrite)"),
    "deleted": N_("Deleted (Eventbrite)"), "transferred": N_("Ticket transferred (Eventbrite)"),
}


def _eventbrite_classic(headers: set[str]) -> bool:
    return bool(headers & {"order #", "order no"}) and bool(
        headers & {"attendee #", "attendee no"})


def _read_eventbrite_classic(line: int, row: Row) -> Guest | Skip:
    status = cell(row, "attendee status", "status")
    skip = _status_skip(line, status, EVENTBRITE_REFUSED)
    if skip:
        return skip
    return Guest(
        line=line, first_name=_name(cell(row, "first name")),
        last_name=_name(cell(row, "last name", "surname")), email=cell(row, "email"),
        company=cell(row, "company"), headline=cell(row, "job title"),
        phone=cell(row, "cell phone", "mobile phone", "work phone", "home phone"),
        ticket_code=cell(row, "barcode #", "barcode no", "barcode", "attendee #",
                         "attendee no"),
        ticket_type=cell(row, "ticket type"))


def _eventbrite_attendees(headers: set[str]) -> bool:
    return {"attendee first name", "attendee email"} <= headers or (
        "barcode number" in headers and "order id" in headers)


def _read_eventbrite_attendees(line: int, row: Row) -> Guest | Skip:
    status = cell(row, "attendee status", "ticket status", "status")
    skip = _status_skip(line, status, EVENTBRITE_REFUSED)
    if skip:
        return skip
    return Guest(
        line=line, first_name=_name(cell(row, "attendee first name")),
        last_name=_name(cell(row, "attendee last name")),
        email=cell(row, "attendee email"),
        company=cell(row, "attendee company", "company"),
        headline=cell(row, "attendee job title", "job title"),
        phone=cell(row, "attendee cell phone", "attendee phone", "cell phone"),
        ticket_code=cell(row, "barcode number", "attendee id"),
        ticket_type=cell(row, "ticket type", "ticket name"))


# --- Luma -------------------------------------------------------------------------------

LUMA_REFUSED = {
    "declined": N_("Declined (Luma)"), "rejected": N_("Declined (Luma)"),
    "waitlist": N_("On the waitlist (Luma)"), "pending_approval": N_("Waiting for approval (Luma)"),
    "invited": N_("Invited but not registered (Luma)"), "cancelled": N_("Cancelled (Luma)"),
}


def _luma(headers: set[str]) -> bool:
    return {"api id", "email"} <= headers and bool(headers & {"qr code url", "approval status"})


def _luma_pk(url: str) -> str:
    pk = parse_qs(urlsplit(url).query).get("pk") if url else None
    return pk[0] if pk else ""


def _read_luma(line: int, row: Row) -> Guest | Skip:
    skip = _status_skip(line, cell(row, "approval status"), LUMA_REFUSED)
    if skip:
        return skip
    return Guest(
        line=line, first_name=cell(row, "first name"), last_name=cell(row, "last name"),
        display_name="" if cell(row, "first name", "last name") else cell(row, "name"),
        email=cell(row, "email"), phone=cell(row, "phone number"),
        company=question(row, COMPANY_WORDS), links=_links(question(row, LINKEDIN_WORDS)),
        ticket_code=_luma_pk(cell(row, "qr code url")) or cell(row, "api id"),
        ticket_type=cell(row, "ticket name"))


# --- pretix -----------------------------------------------------------------------------

# pretix writes an apostrophe before values starting with these, against formula injection.
_PRETIX_ESCAPED = re.compile(r"^'(?=[+\-=@|%])")


def _pretix(headers: set[str]) -> bool:
    return {"order code", "secret"} <= headers


def _unescape(row: Row) -> Row:
    return {k: _PRETIX_ESCAPED.sub("", v or "") for k, v in row.items()}


def _read_pretix(line: int, row: Row) -> Guest | Skip:
    row = _unescape(row)
    status = cell(row, "order status", "status")
    skip = _status_skip(line, status, {"canceled": N_("Cancelled (pretix)"),
                                       "cancelled": N_("Cancelled (pretix)"),
                                       "expired": N_("Order expired (pretix)")})
    if skip:
        return skip
    product = cell(row, "product")
    variation = cell(row, "variation")
    note = ""
    if fold(cell(row, "requires special attention")) in ("yes", "true", "1", "si"):
        note = " ".join(filter(None, ["Requires special attention.", cell(row, "comment")]))
    return Guest(
        line=line, first_name=cell(row, "attendee name: given name"),
        last_name=cell(row, "attendee name: family name"),
        display_name=cell(row, "attendee name"),
        email=cell(row, "e mail", "email", "attendee e mail", "attendee email"),
        company=cell(row, "company"), phone=cell(row, "phone number", "phone"),
        ticket_code=cell(row, "secret"),
        ticket_type=f"{product} – {variation}" if variation else product,
        attention_note=note)


# --- Tito -------------------------------------------------------------------------------

def _tito(headers: set[str]) -> bool:
    return {"ticket reference", "ticket email"} <= headers or (
        "ticket full name" in headers and "number" in headers)


def _blank_dash(row: Row) -> Row:
    return {k: "" if (v or "").strip() == "-" else v for k, v in row.items()}


def _read_tito(line: int, row: Row) -> Guest | Skip:
    row = _blank_dash(row)
    if fold(cell(row, "void status", "void")) in ("void", "voided", "yes", "true"):
        return Skip(line, _l("Void ticket (Tito)"))
    first, last = cell(row, "ticket first name"), cell(row, "ticket last name")
    guest = Guest(
        line=line, first_name=first, last_name=last,
        display_name="" if first or last else cell(row, "ticket full name"),
        email=cell(row, "ticket email"), company=cell(row, "ticket company name"),
        headline=cell(row, "ticket job title"), phone=cell(row, "ticket phone number"),
        ticket_code=cell(row, "ticket reference", "number"), ticket_type=cell(row, "ticket"),
        ticket_url=ticket_url_key(cell(row, "unique ticket url")) or "")
    if not guest.name and not guest.email:
        # An unassigned ticket: it is the buyer's until they give it to someone.
        guest.display_name = cell(row, "order name")
        guest.email = cell(row, "order email")
        if guest.name:
            guest.warnings.append(_l("Ticket not assigned yet; imported under the buyer's "
                                     "name."))
    return guest


# --- Hi.Events --------------------------------------------------------------------------

def _hi_events(headers: set[str]) -> bool:
    return {"public id", "first name", "last name", "email", "status"} <= headers


def _read_hi_events(line: int, row: Row) -> Guest | Skip:
    skip = _status_skip(line, cell(row, "status"), {
        "cancelled": N_("Cancelled (Hi.Events)"), "canceled": N_("Cancelled (Hi.Events)"),
        "awaiting_payment": N_("Not paid yet (Hi.Events)")})
    if skip:
        return skip
    return Guest(
        line=line, first_name=cell(row, "first name"), last_name=cell(row, "last name"),
        email=cell(row, "email"), ticket_code=cell(row, "public id"),
        company=cell(row, "company name", "company"),
        ticket_type=cell(row, "product name", "product", "ticket", "product title",
                         "ticket title"))


# --- Meetup -----------------------------------------------------------------------------

def _meetup(headers: set[str]) -> bool:
    return {"name", "user id", "rsvp"} <= headers


def _read_meetup(line: int, row: Row) -> Guest | Skip:
    rsvp = cell(row, "rsvp")
    if fold(rsvp) != "yes":
        return Skip(line, _l("RSVP is “%(rsvp)s”, not Yes (Meetup)", rsvp=rsvp or "—"))
    guests = cell(row, "guests")
    note = f"+{guests} (Meetup RSVP)" if guests.isdigit() and int(guests) > 0 else ""
    # Only a real member number makes a ticket code (a blank id must not give "meetup-user").
    user_id = re.fullmatch(r"(?:user\s*)?(\d+)", fold(cell(row, "user id")))
    return Guest(line=line, display_name=cell(row, "name"),
                 ticket_code=f"meetup-{user_id.group(1)}" if user_id else "",
                 company=question(row, COMPANY_WORDS),
                 links=_links(question(row, LINKEDIN_WORDS)), attention_note=note)


# --- A plain spreadsheet, headers in English or Spanish ---------------------------------

PLAIN_COLUMNS = {
    "display_name": ("name", "full name", "nombre completo", "nombre y apellidos", "attendee",
                     "guest", "asistente", "invitado"),
    "first_name": ("first name", "given name", "firstname", "nombre", "first"),
    "last_name": ("last name", "surname", "family name", "lastname", "apellidos", "apellido",
                  "last"),
    "email": ("email", "e mail", "email address", "mail", "correo", "correo electronico",
              "e mail address", "correo e"),
    "company": ("company", "organization", "organisation", "empresa", "organizacion",
                "compania", "company name"),
    "headline": ("title", "job title", "position", "role", "cargo", "puesto", "titulo"),
    "phone": ("phone", "phone number", "mobile", "telephone", "telefono", "movil", "celular",
              "tel"),
    "ticket_code": ("ticket", "ticket code", "code", "barcode", "codigo", "entrada",
                    "codigo de entrada", "ticket id"),
    "ticket_type": ("ticket type", "type", "tipo", "tipo de entrada", "category", "categoria"),
    "language": ("language", "idioma", "lang"),
    "attention_note": ("note", "notes", "nota", "notas", "door note"),
}
LANGUAGES = {"en": "en", "english": "en", "ingles": "en", "es": "es", "spanish": "es",
             "espanol": "es", "castellano": "es"}


def plain_columns(headers: set[str]) -> dict[str, str]:
    """Which header holds which field, for a plain spreadsheet."""
    found = {}
    for name, synonyms in PLAIN_COLUMNS.items():
        for synonym in synonyms:
            if synonym in headers and synonym not in found.values():
                found[name] = synonym
                break
    # "nombre" next to "apellidos" is a first name; alone it is the whole name.
    if found.get("first_name") == "nombre" and "last_name" not in found \
            and "display_name" not in found:
        found["display_name"] = found.pop("first_name")
    return found


def _plain(headers: set[str]) -> bool:
    columns = plain_columns(headers)
    return bool({"display_name", "first_name", "last_name", "email"} & set(columns))


def _read_plain(line: int, row: Row) -> Guest | Skip:
    columns = plain_columns(set(row))
    values = {name: (row.get(header) or "").strip() for name, header in columns.items()}
    language = LANGUAGES.get(fold(values.pop("language", "")), "")
    return Guest(line=line, language=language, **values)


FORMATS = [
    Format("eventbrite", _l("Eventbrite attendee report"), _eventbrite_classic,
           _read_eventbrite_classic),
    Format("eventbrite", _l("Eventbrite “Attendees” report"), _eventbrite_attendees,
           _read_eventbrite_attendees),
    Format("luma", _l("Luma guest list"), _luma, _read_luma),
    Format("pretix", _l("pretix check-in list"), _pretix, _read_pretix),
    Format("tito", _l("Tito tickets export"), _tito, _read_tito),
    Format("hi_events", _l("Hi.Events attendees export"), _hi_events, _read_hi_events),
    Format("meetup", _l("Meetup attendee list"), _meetup, _read_meetup),
    Format("spreadsheet", _l("Spreadsheet"), _plain, _read_plain),
]


_SEPARATORS = re.compile(r"[\s_.\-]+")


def fold_header(header: str) -> str:
    """A header as formats name it: no accents, lower case, and ``_ - .`` read as spaces
    (``first_name``, ``First-Name`` and ``First name`` are one header)."""
    return _SEPARATORS.sub(" ", fold(header.strip().strip('"').rstrip(":"))).strip()


def detect(headers: list[str]) -> Format | None:
    """The first format whose headers these are, or None."""
    folded = {fold_header(h) for h in headers}
    return next((f for f in FORMATS if f.matches(folded)), None)


def needs_a_name(fmt: Format, headers: list[str]) -> bool:
    """A plain spreadsheet without any name column cannot be imported."""
    if fmt.key != "spreadsheet":
        return False
    columns = plain_columns({fold_header(h) for h in headers})
    return not {"display_name", "first_name", "last_name"} & set(columns)
