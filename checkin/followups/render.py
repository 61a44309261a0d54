"""The attendee's follow-up email: who they met, their notes, contacts, and people to meet next."""

import csv
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_time
from flask import current_app, render_template
from flask_babel import force_locale, get_locale, get_translations
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import pass_context
from jinja2.filters import do_indent
from markupsafe import Markup, escape
from sqlalchemy import and_, select
from sqlalchemy.orm import Bundle

from checkin.accounts.models import EventRole, Organizer, Role
from checkin.connections.models import Connection, Note
from checkin.connections.services import met_columns, removed_among
from checkin.events.models import Event
from checkin.extensions import db
from checkin.faces.models import PersonPhoto
from checkin.followups.suggestions import Suggestion, SuggestionIndex
from checkin.mail.private import as_sent, private
from checkin.mail.services import attachment
from checkin.meeting_requests.links import ask_url
from checkin.people.cards import shared_contact
from checkin.people.invitations import event_when
from checkin.people.models import Attendee, Person
from checkin.people.vcard import serialize_vcards, vcard_for, where_we_met, with_note
from checkin.text import spreadsheet_cell

KIND = "followup"
KIND_TEST = "followup_test"
REASON_CLIP = 140


# A person's card as a plain row (attribute access, no identity map, nothing to flush).
_CARD = Bundle("person", *Person.__table__.c)


@dataclass
class Contact:
    """One person I met, as the follow-up shows them."""

    person: Person  # read only: a plain row of the card's columns (see contacts_met)
    attendee_id: int
    met_at: datetime
    my_note: str
    shared: dict
    # (key, 192 px JPEG) when they have a photo: attached inline, and in their vCard.
    photo: tuple[str, bytes] | None = None


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str
    to_address: str
    attachments: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)
    met: int = 0


def contacts_met(attendee_ids: list[int]) -> dict[int, list[Contact]]:
    """{attendee: everyone they met, in the order they met, with the attendee's own note}
    for each of ``attendee_ids``, in a fixed number of queries however many they are.

    The same people as ``checkin.connections.services.people_met``, but only the columns an
    email needs, as plain rows (no ORM objects: loading 25 cards into the session cost more
    than rendering them). The meetings of the whole batch come first, then each person met
    once, however many of the batch met them (rendering an event's follow-ups reads each
    card about as many times as people met its owner). A contact's ``person`` has a card's
    attributes and is read only; contacts of one person share it.
    """
    wanted = set(attendee_ids)
    meetings = []
    for mine, other in ((Connection.low_id, Connection.high_id),
                        (Connection.high_id, Connection.low_id)):
        meetings += db.session.execute(
            select(mine, other, Attendee.person_id, Connection.created_at, Connection.id,
                   Note.text)
            .join(Attendee, Attendee.id == other)
            .outerjoin(Note, and_(Note.connection_id == Connection.id, Note.author_id == mine))
            .where(mine.in_(wanted))
        ).all()
    cards = _cards({row[2] for row in meetings})
    met: dict[int, list] = {attendee_id: [] for attendee_id in attendee_ids}
    for me, other, person_id, at, connection_id, note in meetings:
        person, shared, photo = cards[person_id]
        met[me].append(((at, connection_id), Contact(
            person=person, attendee_id=other, met_at=at, my_note=note or "", shared=shared,
            photo=photo)))
    return {me: [contact for _order, contact in sorted(rows, key=lambda row: row[0])]
            for me, rows in met.items()}


_CARDS_PER_QUERY = 500  # ids bound in one IN (…): well within every database's limit


def _cards(person_ids: set[int]) -> dict[int, tuple]:
    """{person id: (card row, shared contact details, (photo key, thumb) or None)}."""
    found, ids = {}, sorted(person_ids)
    for start in range(0, len(ids), _CARDS_PER_QUERY):
        for person, key, thumb in db.session.execute(
                select(_CARD, PersonPhoto.key, PersonPhoto.thumb)
                .outerjoin(PersonPhoto, PersonPhoto.person_id == Person.id)
                .where(Person.id.in_(ids[start:start + _CARDS_PER_QUERY]))):
            found[person.id] = (person, shared_contact(person), (key, thumb) if key else None)
    return found


def face_cid(key: str) -> str:
    """The Content-ID of a face attached to an email: the HTML shows it as ``cid:…``."""
    return f"face-{key}@checkin"


def face_attachments(contacts: list[Contact]) -> list[dict]:
    """Each face in the email as an inline image (never a remote one), once per photo;
    dropped from the outbox's copy once delivered."""
    seen, items = set(), []
    for c in contacts:
        if c.photo and c.photo[0] not in seen:
            seen.add(c.photo[0])
            items.append(attachment(f"{c.photo[0]}.jpg", "image/jpeg", c.photo[1],
                                    cid=face_cid(c.photo[0]), private=True))
    return items


def owners_of(event: Event) -> list[Organizer]:
    return list(db.session.scalars(
        select(Organizer).join(EventRole, EventRole.organizer_id == Organizer.id)
        .where(EventRole.event_id == event.id, EventRole.role == Role.OWNER.value)
        .order_by(Organizer.id)
    ))


# Unsubscribing: a signed person id, so the link needs no stored secret.
def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str) -> URLSafeSerializer:
    """Made once per secret key (it derives its signing key), not once per follow-up."""
    return URLSafeSerializer(secret_key, salt="followups-unsubscribe")


def unsubscribe_token(person: Person) -> str:
    return _serializer().dumps(person.id)


def person_for_unsubscribe_token(token: str) -> Person | None:
    try:
        person_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Person, person_id) if isinstance(person_id, int) else None


def unsubscribe_url(person: Person) -> str:
    return f"{current_app.config['CHECKIN_BASE_URL']}/u/{unsubscribe_token(person)}"


def _clip(text: str, length: int = REASON_CLIP) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def reason_for(suggestion: Suggestion) -> str:
    """The reason in plain words, in the current language."""
    name = suggestion.candidate.name
    theirs, mine = _clip(suggestion.their_text), _clip(suggestion.my_text)
    if suggestion.direction == "offer":
        return _("%(name)s offers “%(theirs)s”; you need “%(mine)s”.",
                 name=name, theirs=theirs, mine=mine)
    return _("%(name)s needs “%(theirs)s”; you offer “%(mine)s”.",
             name=name, theirs=theirs, mine=mine)


class _Line:
    """Where a csv writer puts the one line each ``writerow`` writes."""

    text = ""

    def write(self, text: str) -> None:
        self.text = text


def contacts_csv(contacts: list[Contact], tz: str) -> bytes:
    """One row per person met. A row's card cells are the same for everyone who met that
    person: they are written once per card and kept, and each reader's row is them, a
    comma, and the reader's own two cells (the csv writer quotes each cell on its own, so
    that is the line it writes for the whole row)."""
    line = _Line()
    writer = csv.writer(line)

    def written(cells) -> str:
        writer.writerow(cells)
        return line.text

    language = str(get_locale())
    header = _CSV_HEADERS.get(language)
    if header is None:  # the columns' names, translated once per language
        header = written(met_columns())
        _CSV_HEADERS.put(language, header)
    rows = [header]
    zone = ZoneInfo(tz)
    for c in contacts:
        p = c.person
        key = (p.id, p.updated_at)
        card = _CSV_CARDS.get(key)
        if card is None:
            card = written([spreadsheet_cell(v) for v in (
                p.display_name, p.headline, p.company, c.shared.get("email", ""),
                c.shared.get("phone", ""), " ".join(c.shared.get("links", [])), p.what_i_do,
                p.offer, p.need)])[:-2]  # without its CRLF
            _CSV_CARDS.put(key, card)
        rows.append(card + "," + written([spreadsheet_cell(v) for v in (
            c.my_note, c.met_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))]))
    return ("\ufeff" + "".join(rows)).encode()  # BOM: Excel then reads UTF-8


def contacts_vcf(contacts: list[Contact], event: Event) -> bytes:
    """One vCard 3.0 per person met, with where we met and my note in NOTE."""
    parts, met_on, language = [], {}, str(get_locale())
    for c in contacts:
        day = c.met_at.date()
        if day not in met_on:
            met_on[day] = where_we_met(event, c.met_at)
        note = met_on[day]
        if c.my_note:
            note += "\n" + _("My note: %(note)s", note=c.my_note)
        # Each person's card is serialized once; each note is added to it as text, and the
        # card with the note everyone who met them that day gets (no note of their own) kept.
        key = (c.person.id, c.person.updated_at, c.photo[0] if c.photo else None)
        shared = None if c.my_note else (*key, note, language)
        text = _NOTED.get(shared) if shared else None
        if text is None:
            card = _VCARDS.get(key)
            if card is None:
                card = serialize_vcards([vcard_for(c.person, shared_only=True, note=None,
                                                   photo=c.photo[1] if c.photo else None)])
                _VCARDS.put(key, card)
            text = with_note(card, c.person, note)
            if shared:
                _NOTED.put(shared, text)
        parts.append(text)
    return "".join(parts).encode()


class _BoundedCache:
    """A small LRU: each person's card is serialized once, not once per person who met them."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()

    def get(self, key):
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        self.items[key] = value
        if len(self.items) > self.size:
            self.items.popitem(last=False)


_VCARDS = _BoundedCache(5000)
_NOTED = _BoundedCache(5000)
_CARD_PARTS = _BoundedCache(10000)
_MET_TIMES = _BoundedCache(5000)
_CSV_CARDS = _BoundedCache(5000)
_CSV_HEADERS = _BoundedCache(64)
_WHEN = _BoundedCache(256)


def contact_cards(language: str):
    """``contact_card(contact, part)``: a contact's card as their entry in the follow-up
    shows it (``part`` "html" or "txt"), in ``language`` (the current one), rendered once per
    card, photo and language and reused for everyone who met them: only the note and the
    time they met are each reader's own."""

    def contact_card(contact: Contact, part: str) -> str:
        person = contact.person
        key = (part, person.id, person.updated_at,
               contact.photo[0] if contact.photo else None, language)
        text = _CARD_PARTS.get(key)
        if text is None:
            text = render_template(f"followups/mail/_contact.{part}", c=contact, p=person,
                                   labels=labels(), face_cid=face_cid)
            text = Markup(text) if part == "html" else text  # noqa: S704 (rendered escaped)
            _CARD_PARTS.put(key, text)
        return text

    return contact_card


# Where each contact's own parts go in an entry rendered once per language (private-use
# characters, as private.py's marks): the template's output is cut at them.
_CARD_MARK, _NOTE_MARK, _MET_MARK = "\ue010", "\ue011", "\ue012"
_ENTRY_PIECES = _BoundedCache(64)


def contact_entries(language: str, met_line):
    """``contact_entries(contacts, part)``: each contact's entry in the follow-up (``part``
    "html" or "txt"), in ``language`` (the current one): their card (see ``contact_cards``),
    the reader's note and the time they met (``met_line``), joined into the entry's fixed
    text. That text is ``_entry.html`` or ``.txt`` rendered once per language with a mark
    where each of those goes, then cut at the marks (with a note and without one): a
    follow-up of 25 contacts makes no template call for each of them. Each part is filled in
    as the template would write it: the note escaped (HTML) or indented (text) inside its
    private marks, the time escaped in HTML."""
    card_of = contact_cards(language)

    def entries(contacts: list[Contact], part: str) -> list:
        with_note, without_note = _entry_pieces(part, language)
        html = part == "html"
        written = []
        for c in contacts:
            card, met = card_of(c, part), met_line(c.met_at)
            if html:
                met = escape(met)
            if c.my_note:
                note = escape(c.my_note) if html else do_indent(c.my_note, 6)
                before, after_card, after_note, end = with_note
                text = "".join((before, card, after_card, as_sent(str(note)), after_note, met,
                                end))
            else:
                before, after_card, end = without_note
                text = "".join((before, card, after_card, met, end))
            written.append(Markup(text) if html else text)  # noqa: S704 (parts escaped above)
        return written

    return entries


def _entry_pieces(part: str, language: str) -> tuple[list[str], list[str]]:
    """The fixed text of a contact's entry in ``part``, in ``language`` (the current one),
    cut where the card, the note and the time go; and cut where the card and the time go
    in an entry without a note."""
    key = (part, language)
    pieces = _ENTRY_PIECES.get(key)
    if pieces is None:
        pieces = (_cut(part, _NOTE_MARK, (_CARD_MARK, _NOTE_MARK, _MET_MARK)),
                  _cut(part, "", (_CARD_MARK, _MET_MARK)))
        _ENTRY_PIECES.put(key, pieces)
    return pieces


def _cut(part: str, note: str, marks: tuple[str, ...]) -> list[str]:
    text = render_template(f"followups/mail/_entry.{part}", card=_CARD_MARK, note=note,
                           met=_MET_MARK, labels=labels())
    pieces = []
    for mark in marks:
        piece, found, text = text.partition(mark)
        if not found or mark in piece or mark in text:
            raise ValueError(f"_entry.{part} must show each of its parts once, in order")
        pieces.append(piece)
    return [*pieces, text]


_LABELS: dict[str, dict] = {}


def labels() -> dict:
    """The words repeated for every contact, translated once per language (not per contact)."""
    key = str(get_locale())
    if key not in _LABELS:
        _LABELS[key] = {
            "what_i_do": _("What they do"), "offer": _("Offers"), "need": _("Needs"),
            "email": _("Email"), "phone": _("Phone"), "link": _("Link"),
            "note": _("Your note:"), "met_at": _("Met at %(time)s"),
        }
    return _LABELS[key]


def met_times(zone: ZoneInfo, language: str, line: str = "%(time)s"):
    """``at`` → "19:05" on the venue's clock (or that time in ``line``: "Met at 19:05"), each
    minute formatted once per language and zone, not once per contact (the short time shows
    no seconds; should a language's show them, each moment is formatted once)."""
    locale = _locale(language)
    by_minute = "s" not in locale.time_formats["short"].pattern

    def met_time(at: datetime) -> str:
        local = at.astimezone(zone)
        key = (language, zone.key, line, local.replace(second=0, microsecond=0) if by_minute
               else local)
        text = _MET_TIMES.get(key)
        if text is None:
            text = line % {"time": format_time(local, "short", locale=locale)}
            _MET_TIMES.put(key, text)
        return text

    return met_time


def _event_when(event: Event, language: str) -> str:
    """``event_when``, worked out once per event's start, zone and language, not per email."""
    key = (event.starts_at, event.timezone, language)
    text = _WHEN.get(key)
    if text is None:
        text = event_when(event, language)
        _WHEN.put(key, text)
    return text


def _template_gettext(translations) -> dict:
    """The templates' ``gettext`` and ``ngettext`` for one email, bound to its language's
    catalogue: what Flask-Babel installs in Jinja (newstyle gettext: the text marked safe
    where the template escapes, then formatted with its variables), without asking
    Flask-Babel for the catalogue again at each ``_()``."""

    @pass_context
    def gettext(context, text, **variables):
        translated = translations.ugettext(text)
        # Our own catalogue's text, marked safe as Jinja's own gettext marks it.
        return (Markup(translated) if context.eval_ctx.autoescape  # noqa: S704
                else translated) % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        translated = translations.ungettext(singular, plural, num)
        return (Markup(translated) if context.eval_ctx.autoescape  # noqa: S704
                else translated) % variables

    return {"gettext": gettext, "ngettext": ngettext}


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@dataclass
class FollowupContext:
    """Everything one attendee's follow-up says, gathered from the database."""

    event: Event
    person: Person
    attendee_id: int
    contacts: list[Contact]
    suggestions: list[Suggestion]
    reply_to: str


def followup_context(attendee: Attendee, index: SuggestionIndex | None = None,
                     reply_to: str | None = None) -> FollowupContext:
    """The queries behind ``attendee``'s follow-up (see ``followup_contexts``)."""
    return followup_contexts([attendee], index, reply_to)[0]


def followup_contexts(attendees: list[Attendee], index: SuggestionIndex | None = None,
                      reply_to: str | None = None) -> list[FollowupContext]:
    """The queries behind the follow-ups of ``attendees`` (all of one event), a fixed number
    for the lot: whom each met (with their own notes), whom to meet next, and where replies
    go.

    ``index`` is the event's suggestion index (built here when not given; pass it when
    rendering many), ``reply_to`` the first owner's address (looked up when not given).
    """
    if not attendees:
        return []
    event = attendees[0].event
    if index is None:
        index = SuggestionIndex.for_event(event.id)
    if reply_to is None:
        owners = owners_of(event)
        reply_to = owners[0].email if owners else ""
    ids = [attendee.id for attendee in attendees]
    met, removed = contacts_met(ids), removed_among(ids)
    contexts = []
    for attendee in attendees:
        person, contacts = attendee.person, met[attendee.id]
        # Nobody I met, and nobody I removed or who removed me.
        suggestions = index.suggest(attendee.id, person.offer, person.need,
                                    {c.attendee_id for c in contacts} | removed[attendee.id])
        contexts.append(FollowupContext(event=attendee.event, person=person,
                                        attendee_id=attendee.id, contacts=contacts,
                                        suggestions=suggestions, reply_to=reply_to))
    return contexts


def render_followup(attendee: Attendee, index: SuggestionIndex | None = None,
                    reply_to: str | None = None, for_organizer: bool = False) -> RenderedEmail:
    """The follow-up email of ``attendee`` exactly as it will be sent, in their language
    (see ``followup_context`` and ``render_followup_email``)."""
    return render_followup_email(followup_context(attendee, index, reply_to),
                                 for_organizer=for_organizer)


def render_followup_email(followup: FollowupContext, for_organizer: bool = False
                          ) -> RenderedEmail:
    """The follow-up email from its gathered context, in the person's language; no queries.

    Someone who met nobody gets a different email: people to meet, and how to
    reach them through the organizer. ``for_organizer`` renders the organizer's
    preview and test copy: the same email, except that the attendee's private
    notes show as a placeholder, since only their author may read them.
    """
    event, person, contacts = followup.event, followup.person, followup.contacts
    language = person.language or event.default_language or "en"
    base_url = current_app.config["CHECKIN_BASE_URL"]
    reply_to = followup.reply_to
    with force_locale(language):
        if for_organizer:
            hidden = _("(A private note: only %(name)s can read it.)", name=person.display_name)
            contacts = [replace(c, my_note=hidden) if c.my_note else c for c in contacts]
        zone = ZoneInfo(event.timezone)
        context = {
            **_template_gettext(get_translations()),
            "event": event, "person": person, "contacts": contacts,
            "suggestions": [(s, reason_for(s)) for s in followup.suggestions],
            "when": _event_when(event, language),
            "unsubscribe_url": unsubscribe_url(person), "reply_to": reply_to,
            "card_url": f"{base_url}/e/{event.slug}/me", "language": language,
            "contact_entries": contact_entries(language, met_times(zone, language,
                                                                  labels()["met_at"])),
            # "I'd like to meet": a signed link per suggestion (it works with no session),
            # signed once for both the text and the HTML part.
            "ask_urls": {s.candidate.attendee_id: ask_url(followup.attendee_id,
                                                          s.candidate.attendee_id)
                         for s in followup.suggestions},
        }
        if contacts:
            subject = _("Who you met at %(event)s", event=event.name)
            template = "followups/mail/followup"
            attachments = [
                attachment("contacts.vcf", "text/vcard", contacts_vcf(contacts, event),
                           private=True),
                attachment("contacts.csv", "text/csv", contacts_csv(contacts, event.timezone),
                           private=True),
                *face_attachments(contacts),
            ]
        else:
            subject = _("People to meet after %(event)s", event=event.name)
            template = "followups/mail/nobody"
            attachments = []
        text = render_template(template + ".txt", **context)
        html = render_template(template + ".html", **context)
    headers = {
        "List-Unsubscribe": f"<{private(context['unsubscribe_url'])}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    if reply_to:
        headers["Reply-To"] = reply_to
    return RenderedEmail(subject=subject, text=text, html=html, language=language,
                         to_address=person.email, attachments=attachments, headers=headers,
                         met=len(contacts))
