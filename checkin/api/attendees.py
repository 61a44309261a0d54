"""API: an event's attendees — list (paginated, searchable), add, read, change, remove."""

from flask import request
from flask_babel import lazy_gettext as _l

from checkin.api.common import api_event, body, bp, field, paginated, query_text
from checkin.api.openapi import add_path, add_schema, json_body, json_response, page_of, param, ref
from checkin.api.serializers import attendee_json
from checkin.errors import DomainError
from checkin.i18n import LANGUAGES
from checkin.people.guests import add_attendee, attendee_of, remove_attendee, update_attendee
from checkin.people.models import LIMITS, AttendeeSource
from checkin.people.queries import attendee_query

DATE_TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {**DATE_TIME, "nullable": True}
add_schema("Attendee", {
    "type": "object",
    "required": ["id", "display_name", "card_code", "card_url"],
    "properties": {
        "id": {"type": "integer"}, "display_name": {"type": "string"},
        "first_name": {"type": "string"}, "last_name": {"type": "string"},
        "email": {"type": "string"}, "phone": {"type": "string"},
        "company": {"type": "string"}, "headline": {"type": "string"},
        "language": {"type": "string", "nullable": True},
        "ticket_code": {"type": "string", "nullable": True},
        "ticket_source": {"type": "string", "nullable": True},
        "ticket_type": {"type": "string"}, "source": {"type": "string"},
        "card_code": {"type": "string"}, "card_url": {"type": "string"},
        "attention_note": {"type": "string"},
        "checked_in_at": NULLABLE_TIME, "checked_in_gate": {"type": "string"},
        "inside": {"type": "boolean"}, "invited_at": NULLABLE_TIME,
        "signin_issued_at": NULLABLE_TIME, "created_at": DATE_TIME,
    },
})
TEXT_FIELDS = {
    "first_name": LIMITS["first_name"], "last_name": LIMITS["last_name"],
    "display_name": LIMITS["display_name"], "email": LIMITS["email"],
    "company": LIMITS["company"], "headline": LIMITS["headline"], "phone": LIMITS["phone"],
    "ticket_code": LIMITS["ticket_code"], "ticket_type": LIMITS["ticket_type"],
    "attention_note": LIMITS["attention_note"],
}
INPUT_PROPERTIES = {
    **{name: {"type": "string", "maxLength": limit} for name, limit in TEXT_FIELDS.items()},
    "language": {"type": "string", "enum": list(LANGUAGES), "nullable": True},
}
add_schema("AttendeeInput", {
    "type": "object",
    "description": "A name is needed: display_name, or first_name and/or last_name.",
    "properties": INPUT_PROPERTIES,
})
add_schema("AttendeeChanges", {"type": "object", "properties": INPUT_PROPERTIES})
FILTERS = {"checked_in": ("yes", "no"), "invited": ("yes", "no"),
           "source": tuple(AttendeeSource)}


def _input(data: dict) -> dict:
    values = {}
    for name, limit in TEXT_FIELDS.items():
        if name in data:
            values[name] = field(data, name, str, default="", max_length=limit)
    if "language" in data:
        values["language"] = field(data, "language", str)
    return values


@bp.get("/events/<slug>/attendees")
def list_attendees(slug):
    event = api_event(slug)
    filters = {}
    for name, allowed in FILTERS.items():
        value = request.args.get(name)
        if value is not None:
            if value not in allowed:
                raise DomainError("bad_parameter", _l("%(name)s must be one of %(values)s.",
                                                      name=name, values=", ".join(allowed)),
                                  field=name)
            filters[name] = value
    query = attendee_query(event, search=query_text("q"),
                           ticket_type=query_text("ticket_type", LIMITS["ticket_type"]) or None,
                           **filters)
    return paginated(query, attendee_json, "api.list_attendees", slug=slug)


@bp.post("/events/<slug>/attendees")
def create_attendee(slug):
    event = api_event(slug)
    attendee = add_attendee(event, source=AttendeeSource.API, **_input(body()))
    return attendee_json(attendee), 201


@bp.get("/events/<slug>/attendees/<int:attendee_id>")
def read_attendee(slug, attendee_id):
    return attendee_json(attendee_of(api_event(slug), attendee_id))


@bp.patch("/events/<slug>/attendees/<int:attendee_id>")
def change_attendee(slug, attendee_id):
    attendee = attendee_of(api_event(slug), attendee_id)
    update_attendee(attendee, **_input(body()))
    return attendee_json(attendee)


@bp.delete("/events/<slug>/attendees/<int:attendee_id>")
def delete_attendee(slug, attendee_id):
    remove_attendee(attendee_of(api_event(slug), attendee_id))
    return "", 204


SLUG = [param("slug")]
ATTENDEE_ID = {"name": "attendee_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
add_path("/events/{slug}/attendees", "get", {
    "summary": "The guests, paginated; search and filter as the console does",
    "operationId": "listAttendees",
    "parameters": [
        *SLUG, param("page"), param("per_page"),
        {"name": "q", "in": "query", "schema": {"type": "string"},
         "description": "Name, email, company or ticket code; accents and case do not matter"},
        *({"name": name, "in": "query", "schema": {"type": "string", "enum": list(allowed)}}
          for name, allowed in FILTERS.items()),
        {"name": "ticket_type", "in": "query", "schema": {"type": "string"}},
    ],
    "responses": {"200": json_response("A page of guests", page_of("Attendee"))},
})
add_path("/events/{slug}/attendees", "post", {
    "summary": "Add one guest by hand",
    "operationId": "addAttendee",
    "parameters": SLUG,
    "requestBody": json_body(ref("AttendeeInput")),
    "responses": {"201": json_response("The new guest", ref("Attendee")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
add_path("/events/{slug}/attendees/{attendee_id}", "get", {
    "summary": "One guest",
    "operationId": "getAttendee",
    "parameters": [*SLUG, ATTENDEE_ID],
    "responses": {"200": json_response("The guest", ref("Attendee"))},
})
add_path("/events/{slug}/attendees/{attendee_id}", "patch", {
    "summary": "Correct a guest's details, ticket or note for the door",
    "description": "Once the guest has signed in, their email is theirs: changing it is "
                   "refused with 409 email_is_the_guests.",
    "operationId": "changeAttendee",
    "parameters": [*SLUG, ATTENDEE_ID],
    "requestBody": json_body(ref("AttendeeChanges")),
    "responses": {"200": json_response("The guest", ref("Attendee")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
add_path("/events/{slug}/attendees/{attendee_id}", "delete", {
    "summary": "Remove a guest, with their check-ins and connections at this event",
    "operationId": "removeAttendee",
    "parameters": [*SLUG, ATTENDEE_ID],
    "responses": {"204": {"description": "Removed"}},
})
