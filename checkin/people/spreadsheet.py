"""The guest list as a spreadsheet: the console's export and the summary's attachment."""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee
from checkin.qr import card_url
from checkin.text import csv_lines


def local_time(value, zone: ZoneInfo) -> str:
    """An instant as a spreadsheet cell in the event's time zone ("" for none)."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def attendee_header(event: Event) -> list[str]:
    """The columns; the times say which time zone they are in."""
    zone = event.timezone
    return ["id", "name", "first_name", "last_name", "email", "phone", "company", "job_title",
            "ticket_type", "ticket_code", "source", "card_url", f"invited_at ({zone})",
            f"checked_in_at ({zone})", "gate", "inside", "door_note", f"added_at ({zone})"]


def attendee_rows(event: Event) -> Iterator[list]:
    """One row per guest, by id, read a thousand at a time."""
    zone = ZoneInfo(event.timezone)
    base = current_app.config["CHECKIN_BASE_URL"]
    query = (select(Attendee).where(Attendee.event_id == event.id)
             .options(selectinload(Attendee.person)).order_by(Attendee.id)
             .execution_options(yield_per=1000))
    for a in db.session.scalars(query):
        p = a.person
        yield [a.id, p.display_name, p.first_name, p.last_name, p.email, p.phone, p.company,
               p.headline, a.ticket_type, a.ticket_code or "", a.source,
               card_url(base, a.card_code), local_time(a.invited_at, zone),
               local_time(a.checked_in_at, zone), a.checked_in_gate,
               "yes" if a.inside else "no", a.attention_note, local_time(a.created_at, zone)]


def attendees_csv(event: Event) -> Iterator[str]:
    """The guest list as CSV lines (Excel-safe, see ``csv_lines``)."""
    return csv_lines(attendee_header(event), attendee_rows(event))
