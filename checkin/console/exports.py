"""Console: the guest list and the connections as CSV that Excel opens correctly and safely."""

from collections.abc import Iterator

from flask import Response, stream_with_context
from flask_login import login_required

from checkin.connections.spreadsheet import connections_csv
from checkin.console.views import bp, owned_event
from checkin.people.spreadsheet import attendees_csv


def csv_response(filename: str, lines: Iterator[str]) -> Response:
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/events/<slug>/exports/attendees.csv")
@login_required
def export_attendees(slug):
    event = owned_event(slug)
    return csv_response(f"{event.slug}-attendees.csv", attendees_csv(event))


@bp.get("/events/<slug>/exports/connections.csv")
@login_required
def export_connections(slug):
    event = owned_event(slug)
    return csv_response(f"{event.slug}-connections.csv", connections_csv(event))
