"""Console: the guest list and the connections as CSV that Excel opens correctly and safely."""

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from flask import Response, current_app, stream_with_context
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from checkin.connections.models import Connection
from checkin.console.views import bp, owned_event
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.text import spreadsheet_cell

BOM = "\ufeff"  # tells Excel the file is UTF-8


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 CSV with a BOM and CRLF line ends, every cell made safe; one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_cell(c) for c in cells])
        return buffer.getvalue()

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def csv_response(filename: str, lines: Iterator[str]) -> Response:
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _when(value, zone) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""


ATTENDEE_HEADER = ["id", "name", "first_name", "last_name", "email", "phone", "company",
                   "job_title", "ticket_type", "ticket_code", "source", "card_url",
                   "invited_at", "checked_in_at", "gate", "inside", "door_note", "added_at"]


def attendee_rows(event) -> Iterator[list]:
    zone = ZoneInfo(event.timezone)
    base = current_app.config["CHECKIN_BASE_URL"]
    query = (select(Attendee).where(Attendee.event_id == event.id)
             .options(selectinload(Attendee.person)).order_by(Attendee.id)
             .execution_options(yield_per=1000))
    for a in db.session.scalars(query):
        p = a.person
        yield [a.id, p.display_name, p.first_name, p.last_name, p.email, p.phone, p.company,
               p.headline, a.ticket_type, a.ticket_code or "", a.source,
               f"{base}/c/{a.card_code}", _when(a.invited_at, zone),
               _when(a.checked_in_at, zone), a.checked_in_gate, "yes" if a.inside else "no",
               a.attention_note, _when(a.created_at, zone)]


@bp.get("/events/<slug>/exports/attendees.csv")
@login_required
def export_attendees(slug):
    event = owned_event(slug)
    header = [*ATTENDEE_HEADER]
    header[12] = f"invited_at ({event.timezone})"
    header[13] = f"checked_in_at ({event.timezone})"
    return csv_response(f"{event.slug}-attendees.csv", csv_lines(header, attendee_rows(event)))


CONNECTION_HEADER = ["id", "met_at", "a_name", "a_email", "a_company", "b_name", "b_email",
                     "b_company", "scanned_by"]


def connection_rows(event) -> Iterator[list]:
    zone = ZoneInfo(event.timezone)
    low_a, high_a = aliased(Attendee), aliased(Attendee)
    low_p, high_p = aliased(Person), aliased(Person)
    query = (
        select(Connection, low_p, high_p)
        .join(low_a, low_a.id == Connection.low_id).join(low_p, low_p.id == low_a.person_id)
        .join(high_a, high_a.id == Connection.high_id)
        .join(high_p, high_p.id == high_a.person_id)
        .where(Connection.event_id == event.id).order_by(Connection.created_at, Connection.id)
        .execution_options(yield_per=1000))
    for connection, low, high in db.session.execute(query):
        scanner = low if connection.scanned_by_id == connection.low_id else high
        yield [connection.id, _when(connection.created_at, zone), low.display_name, low.email,
               low.company, high.display_name, high.email, high.company, scanner.display_name]


@bp.get("/events/<slug>/exports/connections.csv")
@login_required
def export_connections(slug):
    event = owned_event(slug)
    header = [*CONNECTION_HEADER]
    header[1] = f"met_at ({event.timezone})"
    return csv_response(f"{event.slug}-connections.csv",
                        csv_lines(header, connection_rows(event)))
