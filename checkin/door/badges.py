"""Badge sheets: which attendees go on a printed page, and their stored QR drawings."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.qr import card_payload, drawing_for
from checkin.qr.models import QrDrawing

PER_SHEET = 8
SHEETS_PER_PAGE = 25  # 200 badges per printed batch keeps one page light to render
PAPERS = ("a4", "letter")


@dataclass
class Badge:
    name: str
    company: str
    ticket_type: str
    payload: str
    svg: str


def qr_svgs(payloads: list[str]) -> dict[str, str]:
    """{payload: SVG} from the stored drawings; only codes never drawn before are drawn now."""
    stored = dict(db.session.execute(
        select(QrDrawing.payload, QrDrawing.svg).where(QrDrawing.payload.in_(payloads))
    ).all())
    missing = [p for p in payloads if p not in stored]
    for payload in missing:
        stored[payload] = drawing_for(payload).svg
    return stored


def badge_batch(event: Event, ids: list[int] | None = None,
                batch: int = 1) -> tuple[list[list[Badge]], int, int]:
    """The sheets of batch ``batch`` (eight badges each), the batch count and the badge count.

    ``ids`` limits the badges to those attendees of ``event``; otherwise everyone, by name.
    """
    where = [Attendee.event_id == event.id]
    if ids is not None:
        where.append(Attendee.id.in_(ids or [-1]))
    total = db.session.scalar(select(func.count(Attendee.id)).where(*where)) or 0
    per_batch = PER_SHEET * SHEETS_PER_PAGE
    batches = max(1, -(-total // per_batch))
    batch = min(max(batch, 1), batches)
    rows = db.session.execute(
        select(Person.display_name, Person.company, Attendee.ticket_type, Attendee.card_code)
        .join(Person, Person.id == Attendee.person_id)
        .where(*where)
        .order_by(Person.name_key, Attendee.id)
        .limit(per_batch).offset((batch - 1) * per_batch)
    ).all()
    base = current_app.config["CHECKIN_BASE_URL"]
    payloads = [card_payload(base, code) for *_, code in rows]
    svgs = qr_svgs(payloads)
    badges = [Badge(name, company, ticket_type, payload, svgs[payload])
              for (name, company, ticket_type, _), payload in zip(rows, payloads, strict=True)]
    sheets = [badges[i:i + PER_SHEET] for i in range(0, len(badges), PER_SHEET)]
    return sheets, batches, total


def badge_for(event: Event, attendee_id: int) -> Badge | None:
    """The badge of one attendee of ``event`` (printed at the door), or None if not theirs."""
    sheets, _, total = badge_batch(event, [attendee_id])
    return sheets[0][0] if total else None
