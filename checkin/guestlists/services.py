"""Importing a guest list: a preview that writes nothing, then one transaction that writes all.

Rows are matched to the event's guests by ticket code, else by name and email, so importing
the same file again changes nothing and an edited file updates what changed. Names, email,
ticket and note follow the file (a name the guest chose for their card stays); card details
a guest may have filled in themselves (company, job title, phone, language) are only filled
when empty on our side. A blank cell never erases anything.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.events.services import require_open
from checkin.extensions import db
from checkin.guestlists.formats import Format, Guest, Skip, detect, fold_header, needs_a_name
from checkin.guestlists.reading import read_table
from checkin.people.models import LIMITS, Attendee, AttendeeSource, Person
from checkin.people.services import refresh_search_key, search_key_for
from checkin.text import fold
from checkin.tokens import new_card_code

FOLLOW_FILE = ("first_name", "last_name", "display_name", "email", "ticket_code", "ticket_type",
               "attention_note")
FILL_BLANKS = ("company", "headline", "phone", "language")
PERSON_FIELDS = ("first_name", "last_name", "display_name", "email", "company", "headline",
                 "phone", "language")


@dataclass
class Update:
    attendee_id: int
    guest: Guest
    changes: dict[str, tuple[str, str]]


@dataclass
class ImportPlan:
    format: Format
    encoding: str
    delimiter: str
    rows: int
    creates: list[Guest] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: list[Guest] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    committed: bool = False

    @property
    def warnings(self) -> list[tuple[int, str]]:
        guests = [*self.creates, *(u.guest for u in self.updates), *self.unchanged]
        return sorted((g.line, str(w)) for g in guests for w in g.warnings)

    def as_json(self, limit: int = 1000) -> dict:
        return {
            "format": self.format.key, "format_label": str(self.format.label),
            "encoding": self.encoding,
            "delimiter": {"\t": "tab"}.get(self.delimiter, self.delimiter),
            "rows": self.rows, "create": len(self.creates), "update": len(self.updates),
            "unchanged": len(self.unchanged), "skip": len(self.skips),
            "committed": self.committed,
            "skipped": [{"line": s.line, "reason": str(s.reason)} for s in self.skips[:limit]],
            "warnings": [{"line": line, "message": m} for line, m in self.warnings[:limit]],
            "updates": [{"line": u.guest.line, "attendee_id": u.attendee_id,
                         "changes": {k: {"from": a, "to": b} for k, (a, b) in u.changes.items()}}
                        for u in self.updates[:limit]],
        }


def _clean(value: str) -> str:
    return " ".join((value or "").split())


def normalize(guest: Guest) -> Guest | Skip:
    """Tidy one guest: spaces, email case and syntax, field lengths, a name to show."""
    for name in ("first_name", "last_name", "display_name", "company", "headline", "phone",
                 "ticket_code", "ticket_type", "attention_note"):
        value = _clean(getattr(guest, name))
        limit = LIMITS[name]
        if len(value) > limit:
            guest.warnings.append(_l("%(field)s cut to %(limit)d characters.", field=name,
                                     limit=limit))
            value = value[:limit]
        setattr(guest, name, value)
    email = _clean(guest.email).lower()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            guest.warnings.append(_l("“%(email)s” is not an email address; imported without it.",
                                     email=email))
            email = ""
    guest.email = email
    if not guest.name:
        if not email:
            return Skip(guest.line, _l("No name and no email."))
        guest.display_name = email.split("@")[0][: LIMITS["display_name"]]
        guest.nameless = True
        guest.warnings.append(_l("No name given; shown as “%(name)s” until they fill in "
                                 "their card.", name=guest.display_name))
    if not guest.display_name:
        guest.display_name = guest.name[: LIMITS["display_name"]]
    return guest


def _given_name(guest: Guest) -> bool:
    return not guest.nameless


def _file_key(guest: Guest) -> tuple:
    if guest.ticket_code and not _given_name(guest):
        return ("ticket", guest.ticket_code)
    return ("person", fold(guest.name), guest.email)


def read_guests(data: bytes) -> tuple[Format, str, str, int, list[Guest], list[Skip]]:
    """Every row of the file as a normalised guest or a skip, duplicates in the file merged."""
    table = read_table(data)
    fmt = detect(table.headers)
    if fmt is None:
        raise DomainError("unknown_format", str(_l(
            "We do not recognise this guest list. Export it from Eventbrite, Luma, pretix, "
            "Tito, Hi.Events or Meetup, or use a spreadsheet with a header row such as "
            "“name, email, company”. Headers found: %(headers)s.",
            headers=", ".join(table.headers[:12]))))
    if needs_a_name(fmt, table.headers):
        raise DomainError("no_name_column", str(_l(
            "The file has no name column. Add a column “name” (or “first name” and "
            "“last name”, “nombre”, “apellidos”).")))
    headers = [fold_header(h) for h in table.headers]
    guests: list[Guest] = []
    skips: list[Skip] = []
    seen_keys: dict[tuple, int] = {}
    seen_codes: dict[str, int] = {}
    for line, cells in table.rows:
        row = dict(zip(headers, cells, strict=False))
        read = fmt.read(line, row)
        result = normalize(read) if isinstance(read, Guest) else read
        if isinstance(result, Skip):
            skips.append(result)
            continue
        key = _file_key(result)
        if key in seen_keys:
            skips.append(Skip(line, _l("Same guest as line %(line)d.", line=seen_keys[key])))
            continue
        if result.ticket_code and result.ticket_code in seen_codes:
            skips.append(Skip(line, _l("Same ticket code as line %(line)d.",
                                       line=seen_codes[result.ticket_code])))
            continue
        seen_keys[key] = line
        if result.ticket_code:
            seen_codes[result.ticket_code] = line
        guests.append(result)
    return fmt, table.encoding, table.delimiter, len(table.rows), guests, skips


def _changes(attendee: Attendee, guest: Guest) -> dict[str, tuple[str, str]]:
    person = attendee.person
    changes = {}
    for name in FOLLOW_FILE + FILL_BLANKS:
        new = getattr(guest, name) or ""
        if not new:
            continue  # a blank in the file never erases what we have
        holder = person if name in PERSON_FIELDS else attendee
        old = getattr(holder, name) or ""
        if name in FILL_BLANKS and old:
            continue
        if name == "display_name" and _custom_display_name(person):
            continue  # the guest chose how their name shows on the card: keep it
        if old != new:
            changes[name] = (old, new)
    return changes


def _custom_display_name(person) -> bool:
    composed = f"{person.first_name} {person.last_name}".strip()
    return bool(composed) and person.display_name != composed


def plan_import(event: Event, data: bytes) -> ImportPlan:
    """What importing ``data`` into ``event`` would do. Writes nothing."""
    fmt, encoding, delimiter, rows, guests, skips = read_guests(data)
    plan = ImportPlan(format=fmt, encoding=encoding, delimiter=delimiter, rows=rows, skips=skips)
    existing = db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id)
        .options(selectinload(Attendee.person))
    ).all()
    by_code = {a.ticket_code: a for a in existing if a.ticket_code}
    by_person = {(fold(a.person.display_name), a.person.email): a for a in existing}
    for guest in guests:
        match = by_code.get(guest.ticket_code) if guest.ticket_code else None
        if match is None and _given_name(guest):
            candidate = by_person.get((fold(guest.name), guest.email))
            if candidate is not None and not (candidate.ticket_code and guest.ticket_code
                                              and candidate.ticket_code != guest.ticket_code):
                match = candidate
        if match is None:
            plan.creates.append(guest)
            continue
        changes = _changes(match, guest)
        if changes:
            plan.updates.append(Update(match.id, guest, changes))
        else:
            plan.unchanged.append(guest)
    plan.skips.sort(key=lambda s: s.line)
    return plan


INSERT_BATCH = 1000


def _insert_guests(event: Event, source: str, guests: list[Guest]) -> None:
    """New people and their registrations, inserted in bulk (one statement per table)."""
    people, attendees = [], []
    for guest in guests:
        person = Person(display_name=guest.display_name, first_name=guest.first_name,
                        last_name=guest.last_name, email=guest.email, company=guest.company,
                        headline=guest.headline, phone=guest.phone,
                        language=guest.language or None)
        attendee = Attendee(person=person, card_code=new_card_code(),
                            ticket_code=guest.ticket_code or None)
        people.append({name: getattr(person, name) for name in PERSON_FIELDS})
        attendees.append({
            "event_id": event.id, "card_code": attendee.card_code,
            "ticket_code": attendee.ticket_code,
            "ticket_source": source if guest.ticket_code else None,
            "ticket_type": guest.ticket_type, "source": AttendeeSource.IMPORT,
            "attention_note": guest.attention_note,
            "search_key": search_key_for(attendee)})
    person_ids = db.session.scalars(
        insert(Person).returning(Person.id, sort_by_parameter_order=True), people).all()
    for row, person_id in zip(attendees, person_ids, strict=True):
        row["person_id"] = person_id
    db.session.execute(insert(Attendee), attendees)


def apply_import(event: Event, data: bytes,
                 progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Import ``data`` into ``event``: everything in one transaction, or nothing."""
    require_open(event)
    plan = plan_import(event, data)
    try:
        for start in range(0, len(plan.creates), INSERT_BATCH):
            batch = plan.creates[start:start + INSERT_BATCH]
            _insert_guests(event, plan.format.key, batch)
            if progress:
                progress(len(batch))
        for update in plan.updates:
            attendee = db.session.get(Attendee, update.attendee_id)
            for name, (_old, new) in update.changes.items():
                holder = attendee.person if name in PERSON_FIELDS else attendee
                setattr(holder, name, new)
            if "ticket_code" in update.changes and not attendee.ticket_source:
                attendee.ticket_source = plan.format.key
            refresh_search_key(attendee)
            if progress:
                progress(1)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DomainError("import_conflict", str(_l(
            "Someone changed the guest list while this import ran; nothing was imported. "
            "Try again."))) from error
    except BaseException:
        db.session.rollback()
        raise
    plan.committed = True
    return plan
