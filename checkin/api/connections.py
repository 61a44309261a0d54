"""API: an event's connections (who met whom); notes stay private to their authors."""

from sqlalchemy import select

from checkin.api.common import api_event, bp, iso, paginated
from checkin.api.openapi import add_path, add_schema, json_response, page_of, param
from checkin.connections.models import Connection

add_schema("Connection", {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "attendee_ids": {"type": "array", "items": {"type": "integer"}},
        "scanned_by": {"type": "integer", "nullable": True,
                       "description": "Who scanned whom; null when they connected otherwise"},
        "created_at": {"type": "string", "format": "date-time"},
    },
})


def connection_json(connection: Connection) -> dict:
    return {"id": connection.id, "attendee_ids": [connection.low_id, connection.high_id],
            "scanned_by": connection.scanned_by_id, "created_at": iso(connection.created_at)}


@bp.get("/events/<slug>/connections")
def list_connections(slug):
    event = api_event(slug)
    query = (select(Connection).filter_by(event_id=event.id)
             .order_by(Connection.created_at, Connection.id))
    return paginated(query, connection_json, "api.list_connections", slug=slug)


add_path("/events/{slug}/connections", "get", {
    "summary": "Who met whom, oldest first (notes are private and never listed)",
    "operationId": "listConnections",
    "parameters": [param("slug"), param("page"), param("per_page")],
    "responses": {"200": json_response("A page of connections", page_of("Connection"))},
})
