"""vCards (version 3.0) of people's cards, built with vobject, and how to serve them."""

import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote
from zoneinfo import ZoneInfo

import vobject
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from checkin.people.cards import is_web_link, shared_contact
from checkin.people.models import MAX_LINKS, Person
from checkin.text import clean_text

VCARD_MIMETYPE = "text/vcard; charset=utf-8"


def name_parts(person: Person) -> tuple[str, str]:
    """(family, given) for the N property; a name without spaces is all given name."""
    first = clean_text(person.first_name, single_line=True)
    last = clean_text(person.last_name, single_line=True)
    if first or last:
        return last, first
    name = clean_text(person.display_name, single_line=True)
    given, _sep, family = name.rpartition(" ")
    return (family, given) if given else ("", name)


def vcard_for(person: Person, *, shared_only: bool = True, note: str | None = "",
              photo: bytes | None = None):
    """The vobject vCard of ``person``.

    With ``shared_only`` (the default) EMAIL, TEL and URL appear only if the person
    shares them; without it (their own card, their own data) everything does.
    ``note`` (where and when we met, my own note) ends the NOTE, after what they
    offer and need; with ``note=None`` the card has no NOTE (see ``with_note``). ``photo``
    (a JPEG: their 192 px thumbnail) goes in PHOTO, inline.
    """
    card = vobject.vCard()
    family, given = name_parts(person)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("fn").value = clean_text(person.display_name, single_line=True) or given
    if person.company:
        card.add("org").value = [clean_text(person.company, single_line=True)]
    if person.headline:
        card.add("title").value = clean_text(person.headline, single_line=True)
    contact = shared_contact(person) if shared_only else {
        "email": person.email, "phone": person.phone,
        "links": [link for link in person.links or [] if is_web_link(link)][:MAX_LINKS],
    }
    if contact.get("email"):
        email = card.add("email")
        email.value = contact["email"]
        email.type_param = "INTERNET"
    if contact.get("phone"):
        tel = card.add("tel")
        tel.value = clean_text(contact["phone"], single_line=True)
        tel.type_param = "CELL"
    for link in contact.get("links", []):
        card.add("url").value = link
    text = note_text(person, note) if note is not None else ""
    if text:
        card.add("note").value = text
    if photo:
        picture = card.add("photo")
        picture.value = photo
        picture.encoding_param = "b"
        picture.type_param = "JPEG"
    return card


def note_text(person: Person, note: str = "") -> str:
    """The NOTE: what they do, offer and need, then ``note``."""
    note = clean_text(note)
    about = _about(person.what_i_do, person.offer, person.need, str(get_locale()))
    return "\n".join(text for text in (about, note) if text)


@lru_cache(maxsize=4096)
def _about(what_i_do: str, offer: str, need: str, _language: str) -> str:
    """The card's part of the NOTE in one language, worked out once per card and language
    (a follow-up writes it for each person met)."""
    lines = []
    for label, value in ((_("About"), what_i_do), (_("Offers"), offer), (_("Needs"), need)):
        value = clean_text(value)
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


_END = "END:VCARD\r\n"


def with_note(serialized: str, person: Person, note: str = "") -> str:
    """A card serialized without NOTE (``vcard_for(..., note=None)``) with the NOTE that
    ``vcard_for(..., note=note)`` gives it, written as vobject writes it: one person's card,
    serialized once, then carries a note of each person who met them."""
    text = note_text(person, note)
    if not text:
        return serialized
    if not serialized.endswith(_END):
        raise ValueError("not one serialized vCard")
    return serialized[:-len(_END)] + _folded("NOTE:" + _escaped(text)) + _END


def _escaped(text: str) -> str:
    """A TEXT value escaped as vCard 3.0 (and vobject) want it."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _folded(line: str, limit: int = 75) -> str:
    """A content line folded as vobject folds it: lines of at most ``limit`` bytes, never
    splitting a character, each continuation starting with a space."""
    if len(line) < limit:
        return line + "\r\n"
    if line.isascii():  # a byte a character: the same cuts, made by slicing
        rest = limit - 1
        return "\r\n ".join([line[:limit], *(line[i:i + rest]
                                             for i in range(limit, len(line), rest))]) + "\r\n"
    if limit > 4:  # room for any character on a line: cut the UTF-8 bytes, each cut moved
        data, pieces, start, room = line.encode(), [], 0, limit  # back to its character's start
        while len(data) - start > room:
            end = start + room
            while data[end] & 0xC0 == 0x80:  # a continuation byte: inside a character
                end -= 1
            pieces.append(data[start:end])
            start, room = end, limit - 1  # a continuation line starts with a space
        pieces.append(data[start:])
        return b"\r\n ".join(pieces).decode() + "\r\n"
    out, counter = [], 0
    for char in line:
        size = len(char.encode())
        if counter + size > limit:
            out.append("\r\n ")
            counter = 1
        out.append(char)
        counter += size
    return "".join(out) + "\r\n"


def where_we_met(event, at: datetime) -> str:
    """"Met at Networking Night, 26 Nov 2026" in the current language, in the event's time zone."""
    local = at.astimezone(ZoneInfo(event.timezone))
    return _("Met at %(event)s, %(date)s", event=event.name,
             date=format_date(local.date(), "medium"))


def serialize_vcards(cards) -> str:
    """One .vcf text holding every card, in order (CRLF line ends, as RFC 2426 wants)."""
    return "".join(card.serialize() for card in cards)


def ascii_filename(name: str, default: str = "contact") -> str:
    """A filename stem any old client copes with: "José Núñez" → "jose-nunez"."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = decomposed.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:60] or default


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the real name (RFC 6266 ``filename*``)."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    fallback = ascii_filename(stem) + (f".{extension}" if extension else "")
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def vcard_filename(person: Person) -> str:
    """"José Núñez.vcf": the person's name, without characters a file system refuses."""
    name = re.sub(r'[\\/:*?"<>|]+', " ", clean_text(person.display_name, single_line=True))
    return (name.strip(" .")[:60] or "contact") + ".vcf"
