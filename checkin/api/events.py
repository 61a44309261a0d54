"""API: events — list, create, read, change, open, close, reopen, statistics."""

from flask import g
from sqlalchemy import select

from checkin.accounts.models import EventRole
from checkin.api.common import api_event, body, bp, field, instant, paginated
from checkin.api.openapi import (
    add_path,
    add_schema,
    json_body,
    json_response,
    page_of,
    param,
    ref,
)
from checkin.api.serializers import event_json
from checkin.door.dashboard import figures
from checkin.events.models import EVENT_LIMITS, Event
from checkin.events.services import (
    close_event,
    create_event,
    open_event,
    reopen_event,
    update_event,
)
from checkin.extensions import db
from checkin.i18n import LANGUAGES

DATE_TIME = {"type": "string", "format": "date-time"}
add_schema("Event", {
    "type": "object",
    "required": ["slug", "name", "starts_at", "ends_at", "timezone", "state"],
    "properties": {
        "slug": {"type": "string"}, "name": {"type": "string"},
        "community": {"type": "string", "description": "The slug of its community"},
        "starts_at": DATE_TIME, "ends_at": DATE_TIME,
        "timezone": {"type": "string"}, "venue": {"type": "string"},
        "default_language": {"type": "string", "enum": list(LANGUAGES)},
        "walk_ins_allowed": {"type": "boolean"},
        "state": {"type": "string", "enum": ["draft", "open", "closed"]},
        "created_at": DATE_TIME, "closed_at": {**DATE_TIME, "nullable": True},
        "join_url": {"type": "string"},
        "role": {"type": "string", "enum": ["owner", "door"]},
    },
})
EVENT_FIELDS = {
    "name": {"type": "string", "maxLength": EVENT_LIMITS["name"]},
    "slug": {"type": "string", "maxLength": EVENT_LIMITS["slug"],
             "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
    "starts_at": {**DATE_TIME, "description": "ISO 8601 with an offset"},
    "ends_at": {**DATE_TIME, "description": "ISO 8601 with an offset"},
    "timezone": {"type": "string", "description": "IANA name, e.g. Europe/Madrid",
                 "default": "UTC"},
    "venue": {"type": "string", "maxLength": EVENT_LIMITS["venue"]},
    "default_language": {"type": "string", "enum": list(LANGUAGES), "default": "en"},
    "walk_ins_allowed": {"type": "boolean", "default": False},
}
add_schema("EventInput", {"type": "object", "required": ["name", "starts_at", "ends_at"],
                          "properties": {**EVENT_FIELDS, "community": {
                              "type": "string", "description": "The slug of a community you "
                              "own; by default your first one (made for you if you have none)"}}})
add_schema("EventChanges", {"type": "object", "properties": EVENT_FIELDS})
add_schema("Stats", {
    "type": "object",
    "properties": {name: {"type": "integer"} for name in (
        "attendees", "invited", "checked_in", "inside", "walk_ins", "scans", "connections")},
})


@bp.get("/events")
def list_events():
    query = (select(Event).join(EventRole, EventRole.event_id == Event.id)
             .where(EventRole.organizer_id == g.api_organizer.id)
             .order_by(Event.starts_at.desc(), Event.id.desc()))
    roles = dict(db.session.execute(
        select(EventRole.event_id, EventRole.role).filter_by(organizer_id=g.api_organizer.id)
    ).all())
    return paginated(query, lambda e: event_json(e, roles.get(e.id)), "api.list_events")


add_path("/events", "get", {
    "summary": "Your events (as owner or door staff), newest first",
    "operationId": "listEvents",
    "parameters": [param("page"), param("per_page")],
    "responses": {"200": json_response("A page of events", page_of("Event"))},
})


@bp.post("/events")
def create():
    data = body()
    event = create_event(
        g.api_organizer,
        field(data, "name", str, required=True, max_length=EVENT_LIMITS["name"]),
        instant(data, "starts_at", required=True),
        instant(data, "ends_at", required=True),
        field(data, "timezone", str, default="UTC", max_length=EVENT_LIMITS["timezone"]) or "UTC",
        slug=field(data, "slug", str, max_length=EVENT_LIMITS["slug"]) or None,
        venue=field(data, "venue", str, default="", max_length=EVENT_LIMITS["venue"]),
        default_language=field(data, "default_language", str, default="en"),
        walk_ins_allowed=field(data, "walk_ins_allowed", bool, default=False),
        community=field(data, "community", str, max_length=64) or None,
    )
    return event_json(event, "owner"), 201


add_path("/events", "post", {
    "summary": "Create an event (a draft, owned by you)",
    "operationId": "createEvent",
    "requestBody": json_body(ref("EventInput")),
    "responses": {"201": json_response("The new event", ref("Event")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})


@bp.get("/events/<slug>")
def read(slug):
    event = api_event(slug, door=True)
    return event_json(event)


@bp.patch("/events/<slug>")
def change(slug):
    event = api_event(slug)
    data = body()
    changes = {}
    for name, kind, limit in (("name", str, EVENT_LIMITS["name"]),
                              ("slug", str, EVENT_LIMITS["slug"]),
                              ("timezone", str, EVENT_LIMITS["timezone"]),
                              ("venue", str, EVENT_LIMITS["venue"]), ("default_language", str, 2),
                              ("walk_ins_allowed", bool, None)):
        if name in data:
            changes[name] = field(data, name, kind, required=True, max_length=limit)
    for name in ("starts_at", "ends_at"):
        if name in data:
            changes[name] = instant(data, name, required=True)
    update_event(event, **changes)
    return event_json(event)


SLUG = [param("slug")]
add_path("/events/{slug}", "get", {
    "summary": "One event (owners and door staff)",
    "operationId": "getEvent",
    "parameters": SLUG,
    "responses": {"200": json_response("The event", ref("Event"))},
})
add_path("/events/{slug}", "patch", {
    "summary": "Change an event's settings; the slug only while it is a draft",
    "operationId": "changeEvent",
    "parameters": SLUG,
    "requestBody": json_body(ref("EventChanges")),
    "responses": {"200": json_response("The event", ref("Event")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})


@bp.post("/events/<slug>/open")
def open_(slug):
    return event_json(open_event(api_event(slug)))


@bp.post("/events/<slug>/close")
def close(slug):
    return event_json(close_event(api_event(slug)))


add_path("/events/{slug}/open", "post", {
    "summary": "Open the event: guests can sign in, the door can scan",
    "operationId": "openEvent",
    "parameters": SLUG,
    "responses": {"200": json_response("The event", ref("Event")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
add_path("/events/{slug}/close", "post", {
    "summary": "Close the event: no more connections or notes (repeating it is harmless)",
    "operationId": "closeEvent",
    "parameters": SLUG,
    "responses": {"200": json_response("The event", ref("Event"))},
})


@bp.post("/events/<slug>/reopen")
def reopen(slug):
    return event_json(reopen_event(api_event(slug)))


add_path("/events/{slug}/reopen", "post", {
    "summary": "Reopen a closed event: connections and notes can be made again; follow-ups "
               "already queued or sent are never sent again",
    "operationId": "reopenEvent",
    "parameters": SLUG,
    "responses": {"200": json_response("The event", ref("Event")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})


def event_stats(event: Event) -> dict:
    """The dashboard's figures, under the API's names."""
    counts = figures(event)
    return {"attendees": counts.registered, "invited": counts.invited,
            "checked_in": counts.checked_in, "inside": counts.inside,
            "walk_ins": counts.walk_ins, "scans": counts.scans, "connections": counts.connections}


@bp.get("/events/<slug>/stats")
def stats(slug):
    return event_stats(api_event(slug, door=True))


add_path("/events/{slug}/stats", "get", {
    "summary": "Counts: guests, invited, checked in, inside now, walk-ins, scans, connections",
    "operationId": "getStats",
    "parameters": SLUG,
    "responses": {"200": json_response("The counts", ref("Stats"))},
})
