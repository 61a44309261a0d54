"""Importing a guest list: a preview that writes nothing, then one transaction that writes all.

Rows are matched to the event's guests by ticket code, else by name and email, so importing
the same file again changes nothing and an edited file updates what changed. Names, email,
ticket and note follow the file (a name the guest chose for their card stays); card details
a guest may have filled in themselves (company, job title, phone, language) are only filled
when empty on our side. A blank cell never erases anything.
"""

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, insert, literal, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.events.services import require_open
from checkin.extensions import db
from checkin.guestlists.formats import Format, Guest, Skip, detect, fold_header, needs_a_name
from checkin.guestlists.models import GuestlistUpload, StagedGuest
from checkin.guestlists.reading import read_table
from checkin.people.cards import as_web_link, is_web_link
from checkin.people.models import LIMITS, MAX_LINKS, Attendee, AttendeeSource, Person
from checkin.people.search import index_search_terms
from checkin.people.services import choose_member, refresh_sort_keys, search_key_for
from checkin.text import clean_text, fold
from checkin.tokens import new_card_code, new_session_key
from checkin.transactions import lock_community_for_writing, lock_event_for_writing

logger = logging.getLogger("checkin.guestlists")

FOLLOW_FILE = ("first_name", "last_name", "display_name", "email", "ticket_code", "ticket_url",
               "ticket_type", "attention_note")
FILL_BLANKS = ("company", "headline", "phone", "language", "links")
PERSON_FIELDS = ("first_name", "last_name", "display_name", "email", "company", "headline",
                 "phone", "language", "links")


@dataclass
class Update:
    attendee_id: int
    guest: Guest
    changes: dict[str, tuple[str, str]]
    person_id: int = 0
    search_key: str = ""
    sets_ticket_source: bool = False  # a first ticket code: remember which system it is from


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
    planned_at: datetime | None = None
    planned_max_attendee_id: int = 0
    # New registrations of people the community has already (by the guest's line): their
    # card stays theirs, the file only fills what they left empty.
    members: dict[int, Person] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Guests to add, update, leave as they are and skip."""
        return {"create": len(self.creates), "update": len(self.updates),
                "unchanged": len(self.unchanged), "skip": len(self.skips)}

    @property
    def warnings(self) -> list[tuple[int, str]]:
        guests = [*self.creates, *(u.guest for u in self.updates), *self.unchanged]
        return sorted((g.line, str(w)) for g in guests for w in g.warnings)

    def as_json(self, limit: int = 1000) -> dict:
        return {
            "format": self.format.key, "format_label": str(self.format.label),
            "encoding": self.encoding,
            "delimiter": {"\t": "tab"}.get(self.delimiter, self.delimiter),
            "rows": self.rows, **self.counts(),
            "committed": self.committed,
            "skipped": [{"line": s.line, "reason": str(s.reason)} for s in self.skips[:limit]],
            "warnings": [{"line": line, "message": m} for line, m in self.warnings[:limit]],
            "updates": [{"line": u.guest.line, "attendee_id": u.attendee_id,
                         "changes": {k: {"from": a, "to": b} for k, (a, b) in u.changes.items()}}
                        for u in self.updates[:limit]],
        }


def _clean(value: str) -> str:
    """A cell as the guests' columns store it (the staged rows are copied as they are)."""
    return clean_text(value, single_line=True)


# An everyday address (ASCII, dots only between characters) is valid as it is; anything else
# goes through email_validator, which costs half of planning a large file.
_PLAIN_EMAIL = re.compile(r"[a-z0-9_%+-]+(\.[a-z0-9_%+-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+"
                          r"[a-z]{2,63}")


def _plainly_valid(email: str) -> bool:
    local, _at, domain = email.partition("@")
    return (len(email) <= 254 and len(local) <= 64 and _PLAIN_EMAIL.fullmatch(email) is not None
            and domain.rpartition(".")[2] not in SPECIAL_USE_DOMAIN_NAMES)


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
    given = email = _clean(guest.email).lower()
    if email and not _plainly_valid(email):
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            guest.warnings.append(_l("“%(email)s” is not an email address; imported without it.",
                                     email=email))
            email = ""
    guest.email = email
    guest.links = _web_links(guest)
    if not guest.name:
        if not email:
            return Skip(guest.line, _l("No name and no email."))
        guest.display_name = email.split("@")[0][: LIMITS["display_name"]]
        guest.nameless = True
        guest.warnings.append(_l("No name given; shown as “%(name)s” until they fill in "
                                 "their card.", name=guest.display_name))
    if not guest.display_name:
        guest.display_name = guest.name[: LIMITS["display_name"]]
    if not given:  # (a malformed address already has its own warning)
        guest.warnings.append(_l("No email: this guest cannot be sent an invitation."))
    return guest


def _web_links(guest: Guest) -> list[str]:
    """Links from the file that a card can show: a bare ``linkedin.com/in/…`` gets https://."""
    links = []
    for link in guest.links[:MAX_LINKS]:
        link = as_web_link(_clean(link))  # the card form's own rule
        if is_web_link(link):
            links.append(link)
        elif link:
            guest.warnings.append(_l("“%(link)s” is not a web address; imported without it.",
                                     link=link[:100]))
    return links


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
        if name == "email" and person.first_signed_in_at is not None:
            continue  # signed in: the address is the guest's own (people.change_email)
        if old != new:
            changes[name] = (old, new)
    return changes


def _custom_display_name(person) -> bool:
    composed = f"{person.first_name} {person.last_name}".strip()
    return bool(composed) and person.display_name != composed


def _person_key(name: str, email: str) -> tuple[str, str]:
    return fold(name), email


def _match(ticket_code: str, person_key: tuple | None, by_code: dict, by_person: dict):
    """The registration a guest of the file is, by ticket code, else by name and email (the
    rule every import follows, at the preview and again just before the swap)."""
    match = by_code.get(ticket_code) if ticket_code else None
    if match is None and person_key is not None:
        candidate = by_person.get(person_key)
        if candidate is not None and not (candidate.ticket_code and ticket_code
                                          and candidate.ticket_code != ticket_code):
            match = candidate
    return match


def _search_key(person, ticket_code: str | None, card_code: str) -> str:
    return search_key_for(SimpleNamespace(person=person, ticket_code=ticket_code,
                                          card_code=card_code))


def plan_import(event: Event, data: bytes) -> ImportPlan:
    """What importing ``data`` into ``event`` would do. Writes nothing."""
    fmt, encoding, delimiter, rows, guests, skips = read_guests(data)
    plan = ImportPlan(format=fmt, encoding=encoding, delimiter=delimiter, rows=rows, skips=skips)
    # Read before the guest list: whoever registers after this is checked again at the swap.
    plan.planned_max_attendee_id = db.session.scalar(select(func.max(Attendee.id))) or 0
    plan.planned_at = now_utc()
    existing = db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id)
        .options(selectinload(Attendee.person))
    ).all()
    by_code = {a.ticket_code: a for a in existing if a.ticket_code}
    by_person = {_person_key(a.person.display_name, a.person.email): a for a in existing}
    for guest in guests:
        key = _person_key(guest.name, guest.email) if _given_name(guest) else None
        match = _match(guest.ticket_code, key, by_code, by_person)
        if match is None:
            plan.creates.append(guest)
            continue
        changes = _changes(match, guest)
        if changes:
            plan.updates.append(Update(
                match.id, guest, changes, match.person_id, _updated_search_key(match, changes),
                sets_ticket_source="ticket_code" in changes and not match.ticket_source))
        else:
            plan.unchanged.append(guest)
    plan.members = _members_among(event, plan.creates, {a.person_id for a in existing})
    plan.skips.sort(key=lambda s: s.line)
    return plan


def _members_among(event: Event, guests: list[Guest], here: set[int]) -> dict[int, Person]:
    """The community's people that new guests are (``member_for``'s rule, for a whole file:
    two rows never take one person, nor a person registered here already)."""
    emails = sorted({g.email for g in guests if g.email})
    by_email: dict[str, list[Person]] = {}
    for start in range(0, len(emails), 500):
        for person in db.session.scalars(
                select(Person).where(Person.community_id == event.community_id,
                                     Person.email.in_(emails[start:start + 500]))
                .order_by(Person.id)):
            by_email.setdefault(person.email, []).append(person)
    members, taken = {}, set(here)
    for guest in guests:
        people = by_email.get(guest.email)
        if not people:
            continue
        member = choose_member(people, guest.name if _given_name(guest) else "", taken)
        if member is not None:
            taken.add(member.id)
            members[guest.line] = member
    return members


def _blanks_filled(person: Person, guest: Guest) -> dict:
    """What a file may add to a member's card: only what they left empty."""
    return {name: getattr(guest, name) for name in FILL_BLANKS
            if getattr(guest, name) and not getattr(person, name)}


def _updated_search_key(attendee: Attendee, changes: dict) -> str:
    person = SimpleNamespace(**{name: getattr(attendee.person, name) for name in PERSON_FIELDS})
    for name, (_old, new) in changes.items():
        if name in PERSON_FIELDS:
            setattr(person, name, new)
    ticket_code = changes["ticket_code"][1] if "ticket_code" in changes else attendee.ticket_code
    return _search_key(person, ticket_code, attendee.card_code)


# --- Keeping an upload between its preview and its import ------------------------------

UPLOAD_TTL = timedelta(hours=1)  # between the preview and the confirmation
IMPORT_TTL = timedelta(days=1)  # an import left half-way, and a finished import's result
LEASE = timedelta(minutes=5)  # one worker at a time; renewed as it works, lapses if it dies
INLINE_MAX_BYTES = 512 * 1024  # a web request imports a file this small itself (< 1 s)
STAGE_BATCH = 1000  # rows staged per (short) transaction


_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _expired_upload() -> DomainError:
    return DomainError("upload_expired", _l("This preview has expired. Upload the file again."),
                       status=404)


def keep_upload(event: Event, data: bytes, *, organizer=None, filename: str = ""
                ) -> GuestlistUpload:
    """Keep ``data`` on the server under a new random id, for an hour. Commits.

    Expired uploads (and the rows of imports abandoned half-way) are cleared at the same time.
    """
    now = now_utc()
    db.session.execute(delete(GuestlistUpload).where(GuestlistUpload.expires_at < now))
    upload = GuestlistUpload(id=secrets.token_urlsafe(18), event_id=event.id, data=data,
                             organizer_id=organizer.id if organizer is not None else None,
                             filename=(filename or "")[:200], expires_at=now + UPLOAD_TTL)
    db.session.add(upload)
    db.session.commit()
    return upload


def upload_for(event: Event, upload_id: str, organizer=None) -> GuestlistUpload:
    """The upload ``upload_id`` of ``event`` (kept by ``organizer``, when given), unexpired."""
    if not _UPLOAD_ID.fullmatch(upload_id or ""):
        raise _expired_upload()  # nothing we ever gave out (and no NUL for PostgreSQL)
    upload = db.session.get(GuestlistUpload, upload_id)
    if (upload is None or upload.event_id != event.id or upload.expires_at < now_utc()
            or (organizer is not None and upload.organizer_id != organizer.id)):
        raise _expired_upload()
    return upload


def confirm_upload(upload: GuestlistUpload) -> bool:
    """Start importing a previewed upload; True for the one call that started it.

    A second confirmation (a double click, two tabs, a retried request) starts nothing: the
    import already under way is the one that runs. Commits.
    """
    require_open(db.session.get(Event, upload.event_id))
    started = db.session.execute(
        update(GuestlistUpload)
        .where(GuestlistUpload.id == upload.id, GuestlistUpload.state == "previewed",
               GuestlistUpload.expires_at >= now_utc())
        .values(state="importing", expires_at=now_utc() + IMPORT_TTL)
    ).rowcount == 1
    db.session.commit()
    db.session.refresh(upload)
    return started


def _take_lease(upload: GuestlistUpload) -> bool:
    now = now_utc()
    taken = db.session.execute(
        update(GuestlistUpload)
        .where(GuestlistUpload.id == upload.id, GuestlistUpload.state == "importing",
               or_(GuestlistUpload.lease_until.is_(None), GuestlistUpload.lease_until < now))
        .values(lease_until=now + LEASE)
    ).rowcount == 1
    db.session.commit()
    return taken


def continue_import(upload: GuestlistUpload,
                    progress: Callable[[int], None] | None = None) -> dict | None:
    """Work a confirmed import to its end, unless another worker holds it.

    The file is planned against the guest list as it is now and its rows are staged in short
    transactions; one quick transaction then swaps them in. Until the swap nobody sees any
    of it, and the door never waits long for the database. A worker killed half-way (a
    restarted app server) leaves staged rows and a lease that lapses: whoever asks next (the
    console's progress page, the API, the CLI) continues where it stopped. Returns the result
    (``ImportPlan.as_json`` with the counts really written) when this call finished the
    import, else None.
    """
    if upload.state != "importing" or not _take_lease(upload):
        return None
    try:
        event = db.session.get(Event, upload.event_id)
        require_open(event)
        if upload.result is None:
            _stage_all(upload, event, progress)
        written = swap_in(upload, event)
    except DomainError as error:
        db.session.rollback()
        _fail(upload, error)
        raise
    except BaseException:
        db.session.rollback()
        _release_lease(upload)
        raise
    if written is None:
        return None
    result = dict(upload.result)
    # Guests registered meanwhile (matched at the swap) count as already on the list.
    result["unchanged"] += result["create"] - written["create"]
    result.update(create=written["create"], update=written["update"], committed=True)
    upload.result = result
    db.session.commit()
    return result


def _stage_all(upload: GuestlistUpload, event: Event, progress) -> None:
    """Plan the file and stage what is not staged yet."""
    plan = plan_import(event, upload.data)
    if upload.planned_at is None:
        upload.planned_at = plan.planned_at
        upload.planned_max_attendee_id = plan.planned_max_attendee_id
    pending = sorted([*plan.creates, *plan.updates], key=_line)
    pending = [item for item in pending if _line(item) > upload.staged_through_line]
    upload.total = upload.staged + len(pending)
    upload.lease_until = now_utc() + LEASE
    db.session.commit()
    for start in range(0, len(pending), STAGE_BATCH):
        batch = pending[start:start + STAGE_BATCH]
        stage_rows(upload, event, plan.format.key, batch, plan.members)  # renews the lease
        if progress:
            progress(len(batch))
    # Every row staged: what the plan says is kept, so the swap needs no second plan.
    upload.result = plan.as_json(limit=100)
    db.session.commit()


def import_in_background(upload: GuestlistUpload) -> None:
    """Work ``upload``'s import to its end in a thread of this app server, so no request
    waits for it (gunicorn stops a request at 30 s). Nothing is lost if the server stops:
    the lease lapses and the next request for its progress starts it again."""
    app = current_app._get_current_object()
    upload_id = upload.id

    def work():
        with app.app_context():
            try:
                continue_import(db.session.get(GuestlistUpload, upload_id))
            except DomainError:
                pass  # kept on the upload: its progress page says why
            except Exception:
                logger.exception("import %s stopped", upload_id)
            finally:
                db.session.remove()

    threading.Thread(target=work, name=f"import-{upload_id}", daemon=True).start()


def run_import(upload: GuestlistUpload) -> dict | None:
    """Continue a confirmed import from a web request: a small file at once (its result),
    a large one in the background (None: watch its progress)."""
    if upload.state != "importing" or _leased(upload):
        return None
    if len(upload.data) <= INLINE_MAX_BYTES:
        return continue_import(upload)
    import_in_background(upload)
    return None


def _leased(upload: GuestlistUpload) -> bool:
    return upload.lease_until is not None and upload.lease_until > now_utc()


def _line(item) -> int:
    return item.line if isinstance(item, Guest) else item.guest.line


def _release_lease(upload: GuestlistUpload) -> None:
    db.session.execute(update(GuestlistUpload).where(GuestlistUpload.id == upload.id)
                       .values(lease_until=None))
    db.session.commit()


def _fail(upload: GuestlistUpload, error: DomainError) -> None:
    db.session.execute(delete(StagedGuest).where(StagedGuest.upload_id == upload.id))
    db.session.execute(update(GuestlistUpload).where(GuestlistUpload.id == upload.id)
                       .values(state="failed", error=str(error.message), lease_until=None,
                               data=b""))
    db.session.commit()
    db.session.refresh(upload)


def stage_rows(upload: GuestlistUpload, event: Event, source: str, batch: list,
               members: dict[int, Person] | None = None) -> None:
    """Stage one batch of new guests and updates, in its own short transaction. A new guest
    who is a member of the community (``members``, by line) is staged with their person."""
    rows = []
    for item in batch:
        if isinstance(item, Guest):
            card_code = new_card_code()
            member = (members or {}).get(item.line)
            rows.append({
                "upload_id": upload.id, "line": item.line, "attendee_id": None,
                "person_id": member.id if member else None,
                "changes": _blanks_filled(member, item) if member else None,
                "match_key": "\x1f".join(_person_key(item.name, item.email))
                if _given_name(item) else "",
                **{name: getattr(item, name) for name in PERSON_FIELDS},
                "language": item.language or None, "card_code": card_code,
                "session_key": new_session_key(),
                "ticket_code": item.ticket_code or None,
                "ticket_source": source if item.ticket_code else None,
                "ticket_url": item.ticket_url or None,
                "ticket_type": item.ticket_type, "attention_note": item.attention_note,
                "search_key": _search_key(member or item, item.ticket_code, card_code)})
        else:
            changes = {name: new for name, (_old, new) in item.changes.items()}
            if item.sets_ticket_source:
                changes["ticket_source"] = source
            rows.append({
                "upload_id": upload.id, "line": item.guest.line,
                "attendee_id": item.attendee_id, "person_id": item.person_id,
                "changes": changes, "match_key": "", "card_code": None,
                "ticket_code": changes.get("ticket_code"), "search_key": item.search_key})
    db.session.execute(insert(StagedGuest), rows)
    upload.staged_through_line = _line(batch[-1])
    upload.staged += len(batch)
    upload.lease_until = now_utc() + LEASE
    db.session.commit()


PERSON_COPY = ("display_name", "first_name", "last_name", "email", "company", "headline",
               "phone", "language", "links")
ATTENDEE_COPY = ("card_code", "session_key", "ticket_code", "ticket_source", "ticket_url",
                 "ticket_type", "attention_note", "search_key")


def swap_in(upload: GuestlistUpload, event: Event) -> dict | None:
    """One quick transaction: the staged rows become guests, or nothing does.

    Under the event's write lock, guests registered since the plan (a walk-in, the same file
    confirmed twice through the API) are matched again, so nobody is added twice, and under
    the community's, people it gained since (a walk-in at another of its events), so nobody
    becomes two members; then two
    ``INSERT … SELECT`` statements and the updates. Returns the counts written, or None when
    another worker finished this import first.
    """
    began = time.monotonic()
    lock_event_for_writing(event.id)
    lock_community_for_writing(event.community_id)  # its people, matched by email
    locked = time.monotonic()
    finishing = db.session.execute(
        update(GuestlistUpload)
        .where(GuestlistUpload.id == upload.id, GuestlistUpload.state == "importing")
        .values(state="done", lease_until=None, data=b"")
    ).rowcount == 1
    if not finishing:
        db.session.rollback()
        return None
    try:
        already = _drop_late_duplicates(upload, event)
        _adopt_late_members(upload, event)
        created = _insert_staged(upload, event)
        updated = _apply_staged_updates(upload)
        _index_staged(upload, event)
        refresh_sort_keys(db.session.scalars(select(StagedGuest.person_id).where(
            StagedGuest.upload_id == upload.id, StagedGuest.person_id.is_not(None))))
        db.session.execute(delete(StagedGuest).where(StagedGuest.upload_id == upload.id))
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DomainError("import_conflict", _l(
            "Someone changed the guest list while this import ran; nothing was imported. "
            "Try again."), status=409) from error
    logger.info("import %s: %d added, %d updated in a %.2f s swap (%.2f s waiting for the "
                "lock)", upload.id, created, updated, time.monotonic() - locked, locked - began)
    db.session.refresh(upload)
    return {"create": created, "update": updated, "already_there": already}


def _drop_late_duplicates(upload: GuestlistUpload, event: Event) -> int:
    """Staged new guests that someone registered after the plan: dropped, counted."""
    late = db.session.execute(
        select(Attendee.id, Attendee.ticket_code, Person.display_name, Person.email)
        .join(Person, Person.id == Attendee.person_id)
        .where(Attendee.event_id == event.id,
               or_(Attendee.id > (upload.planned_max_attendee_id or 0),
                   Attendee.created_at >= upload.planned_at))
    ).all()
    if not late:
        return 0
    by_code = {row.ticket_code: row for row in late if row.ticket_code}
    by_person = {_person_key(row.display_name, row.email): row for row in late}
    staged = db.session.execute(
        select(StagedGuest.line, StagedGuest.ticket_code, StagedGuest.match_key)
        .where(StagedGuest.upload_id == upload.id, StagedGuest.attendee_id.is_(None))
    ).all()
    duplicates = [row.line for row in staged if _match(
        row.ticket_code or "", tuple(row.match_key.split("\x1f")) if row.match_key else None,
        by_code, by_person) is not None]
    for start in range(0, len(duplicates), 500):
        db.session.execute(delete(StagedGuest).where(
            StagedGuest.upload_id == upload.id,
            StagedGuest.line.in_(duplicates[start:start + 500])))
    return len(duplicates)


def _adopt_late_members(upload: GuestlistUpload, event: Event) -> None:
    """New guests who became people of the community after the plan (a walk-in at another
    of its events, say) are staged with that person, as the plan would have staged them
    (``member_for``'s rule, among those late people only), so nobody becomes two members."""
    late = select(Attendee.person_id).where(or_(
        Attendee.id > (upload.planned_max_attendee_id or 0),
        Attendee.created_at >= upload.planned_at))
    emails = set(db.session.scalars(select(Person.email).where(
        Person.community_id == event.community_id, Person.id.in_(late), Person.email != "")))
    if not emails:
        return
    staged = db.session.execute(
        select(StagedGuest.line, StagedGuest.email, StagedGuest.display_name)
        .where(StagedGuest.upload_id == upload.id, StagedGuest.attendee_id.is_(None),
               StagedGuest.person_id.is_(None), StagedGuest.email.in_(sorted(emails)))
        .order_by(StagedGuest.line)).all()
    if not staged:
        return
    people: dict[str, list[Person]] = {}
    for person in db.session.scalars(
            select(Person).where(Person.community_id == event.community_id,
                                 Person.email.in_(sorted(emails))).order_by(Person.id)):
        people.setdefault(person.email, []).append(person)
    late_ids = set(db.session.scalars(late.where(Attendee.person_id.in_(
        [p.id for group in people.values() for p in group]))))
    here = set(db.session.scalars(select(Attendee.person_id).where(
        Attendee.event_id == event.id,
        Attendee.person_id.in_([p.id for group in people.values() for p in group]))))
    taken = set(db.session.scalars(select(StagedGuest.person_id).where(
        StagedGuest.upload_id == upload.id, StagedGuest.person_id.is_not(None))))
    for row in staged:
        group = people[row.email]
        earlier = {p.id for p in group if p.id not in late_ids}  # the plan saw them
        member = choose_member(group, row.display_name, earlier | here | taken)
        if member is not None:
            taken.add(member.id)
            db.session.execute(update(StagedGuest).where(
                StagedGuest.upload_id == upload.id, StagedGuest.line == row.line)
                .values(person_id=member.id))


def _insert_staged(upload: GuestlistUpload, event: Event) -> int:
    new = (StagedGuest.upload_id == upload.id) & StagedGuest.attendee_id.is_(None)
    # A member of the community was staged with their person; everyone else gets one now.
    new_person = new & StagedGuest.person_id.is_(None)
    if db.session.connection().dialect.name == "sqlite":
        # We hold the one write lock: nobody else takes an id above the highest ever used.
        person_id = _highest_person_id() + StagedGuest.line
    else:
        person_id = func.nextval(func.pg_get_serial_sequence("people", "id"))
    db.session.execute(update(StagedGuest).where(new_person).values(person_id=person_id))
    created = db.session.scalar(select(func.count()).select_from(StagedGuest).where(new))
    staged = select(StagedGuest).where(new).subquery()
    people = Person.__table__
    db.session.execute(insert(people).from_select(
        ("id", "community_id", *PERSON_COPY),
        select(staged.c.person_id, literal(event.community_id),
               *(staged.c[n] for n in PERSON_COPY))
        .where(~select(people.c.id).where(people.c.id == staged.c.person_id).exists())))
    db.session.execute(insert(Attendee.__table__).from_select(
        ("event_id", "person_id", "source", *ATTENDEE_COPY),
        select(literal(event.id), staged.c.person_id, literal(AttendeeSource.IMPORT.value),
               *(staged.c[n] for n in ATTENDEE_COPY))))
    return created


def _index_staged(upload: GuestlistUpload, event: Event) -> None:
    """The search terms of the guests this swap added or changed (it wrote their keys in bulk)."""
    staged = select(StagedGuest.card_code).where(StagedGuest.upload_id == upload.id,
                                                 StagedGuest.card_code.is_not(None))
    changed = select(StagedGuest.attendee_id).where(StagedGuest.upload_id == upload.id,
                                                    StagedGuest.attendee_id.is_not(None))
    index_search_terms(Attendee.event_id == event.id,
                       or_(Attendee.card_code.in_(staged), Attendee.id.in_(changed)))


def _highest_person_id() -> int:
    highest = db.session.scalar(select(func.max(Person.id))) or 0
    if db.session.scalar(text("SELECT count(*) FROM sqlite_master "
                              "WHERE name = 'sqlite_sequence'")):
        # With AUTOINCREMENT, the ids of deleted rows are never given again either.
        used = db.session.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = 'people'"))
        highest = max(highest, used or 0)
    return highest


def _apply_staged_updates(upload: GuestlistUpload) -> int:
    staged = db.session.execute(
        select(StagedGuest.attendee_id, StagedGuest.person_id, StagedGuest.changes,
               StagedGuest.search_key)
        .where(StagedGuest.upload_id == upload.id)
    ).all()
    # Updates, and members' new registrations that fill blanks of their card (a JSON null is
    # not SQL's NULL, so this is read here rather than filtered in the query).
    staged = [row for row in staged if row.attendee_id is not None or row.changes]
    # One executemany per set of changed columns: SET follows each parameter set's keys.
    groups: dict[tuple, list[dict]] = {}
    addresses = []
    for row in staged:
        person = {n: v for n, v in row.changes.items() if n in PERSON_FIELDS}
        if "email" in person:
            addresses.append({"row_id": row.person_id, "email": person.pop("email")})
        if person:
            groups.setdefault((Person.__table__, *sorted(person)), []).append(
                {"row_id": row.person_id, **person})
        if row.attendee_id is None:
            continue  # a member's new registration: only blanks of their card filled
        attendee = {n: v for n, v in row.changes.items() if n not in PERSON_FIELDS}
        attendee["search_key"] = row.search_key
        groups.setdefault((Attendee.__table__, *sorted(attendee)), []).append(
            {"row_id": row.attendee_id, **attendee})
    for (table, *_names), rows in groups.items():
        db.session.execute(update(table).where(table.c.id == bindparam("row_id")), rows)
    if addresses:
        # A guest who signed in since the plan now owns their address (people.change_email).
        people = Person.__table__
        db.session.execute(update(people).where(people.c.id == bindparam("row_id"),
                                                people.c.first_signed_in_at.is_(None)),
                           addresses)
    return sum(1 for row in staged if row.attendee_id is not None)


def apply_import(event: Event, data: bytes,
                 progress: Callable[[int], None] | None = None) -> dict:
    """Import ``data`` into ``event`` to the end: everything, or nothing. The result, as
    ``continue_import`` gives it."""
    require_open(event)
    upload = keep_upload(event, data)
    confirm_upload(upload)
    result = continue_import(upload, progress=progress)
    if result is None:
        raise DomainError("import_conflict", _l(
            "Someone changed the guest list while this import ran; nothing was imported. "
            "Try again."), status=409)
    return result
