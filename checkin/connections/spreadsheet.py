"""The event's connections as a spreadsheet: the console's export and the summary's attachment.

Who met whom and when, never a note (notes are private to their author).
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from checkin.connections.models import Connection
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.people.spreadsheet import local_time
from checkin.text import csv_lines


def connection_header(event: Event) -> list[str]:
    return ["id", f"met_at ({event.timezone})", "a_name", "a_email", "a_company", "b_name",
            "b_email", "b_company", "scanned_by"]


def connection_rows(event: Event) -> Iterator[list]:
    """One row per connection, in the order they were made, read a thousand at a time."""
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
        # Nobody scanned a connection made otherwise (a request or an introduction accepted
        # by both); how it was made is theirs, so the column is just empty.
        scanner = {connection.low_id: low, connection.high_id: high}.get(connection.scanned_by_id)
        yield [connection.id, local_time(connection.created_at, zone), low.display_name,
               low.email, low.company, high.display_name, high.email, high.company,
               scanner.display_name if scanner else ""]


def connections_csv(event: Event) -> Iterator[str]:
    """The connections as CSV lines (Excel-safe, see ``csv_lines``)."""
    return csv_lines(connection_header(event), connection_rows(event))
