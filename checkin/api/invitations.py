"""API: send guests their invitation email (all not yet invited, everyone again, or some)."""

from flask_babel import lazy_gettext as _l

from checkin.api.common import api_event, body, bp, iso, paginated
from checkin.api.openapi import add_path, add_schema, json_body, json_response, page_of, param, ref
from checkin.errors import DomainError
from checkin.inputs import MAX_ID
from checkin.mail.models import OutboxMessage
from checkin.people.invitations import invite_attendees
from checkin.people.queries import invitation_messages

WEB_TIME_BUDGET = 20.0
add_schema("InvitationRequest", {
    "type": "object",
    "properties": {
        "attendee_ids": {"type": "array", "maxItems": 10000,
                         "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                         "description": "Only these guests; else every guest not yet invited"},
        "resend": {"type": "boolean", "default": False,
                   "description": "Every guest again, each with a new link"},
    },
})
add_schema("InvitationTally", {
    "type": "object", "required": ["queued", "no_email", "remaining"],
    "properties": {"queued": {"type": "integer"}, "no_email": {"type": "integer"},
                   "remaining": {"type": "integer",
                                 "description": "Still to send: call again"}},
})
add_schema("Invitation", {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "attendee_id": {"type": "integer"},
        "to": {"type": "string"}, "subject": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "sending", "sent", "failed"]},
        "attempts": {"type": "integer"}, "last_error": {"type": "string"},
        "queued_at": {"type": "string", "format": "date-time"},
        "sent_at": {"type": "string", "format": "date-time", "nullable": True},
    },
})


@bp.post("/events/<slug>/invitations")
def send_invitations(slug):
    event = api_event(slug)
    data = body()
    ids = data.get("attendee_ids")
    if ids is not None and not (isinstance(ids, list) and len(ids) <= 10_000 and all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID for i in ids)):
        raise DomainError("bad_field", _l("attendee_ids must be a list of whole numbers."),
                          field="attendee_ids")
    resend = data.get("resend", False)
    if not isinstance(resend, bool):
        raise DomainError("bad_field", _l("%(name)s must be true or false.", name="resend"),
                          field="resend")
    tally = invite_attendees(event, attendee_ids=ids, resend=resend,
                             time_budget=WEB_TIME_BUDGET)
    return {"queued": tally.queued, "no_email": tally.no_email, "remaining": tally.remaining}


@bp.get("/events/<slug>/invitations")
def list_invitations(slug):
    event = api_event(slug)

    def row_json(message):
        return {"id": message.id, "attendee_id": int(message.recipient.split(":")[1]),
                "to": message.to_address, "subject": message.subject,
                "status": message.status, "attempts": message.attempts,
                "last_error": message.last_error, "queued_at": iso(message.created_at),
                "sent_at": iso(message.sent_at)}

    query = invitation_messages(event, OutboxMessage)
    return paginated(query, row_json, "api.list_invitations", slug=slug)


add_path("/events/{slug}/invitations", "post", {
    "summary": "Put invitation emails in the outbox",
    "description": "Each guest gets their sign-in link and card QR in their language. Guests "
                   "without an email are counted in no_email. Long runs stop after a while and "
                   "say how many remain: call again.",
    "operationId": "sendInvitations",
    "parameters": [param("slug")],
    "requestBody": json_body(ref("InvitationRequest")),
    "responses": {"200": json_response("What was queued", ref("InvitationTally")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
add_path("/events/{slug}/invitations", "get", {
    "summary": "Invitation emails: to whom, their state and when",
    "operationId": "listInvitations",
    "parameters": [param("slug"), param("page"), param("per_page")],
    "responses": {"200": json_response("A page of invitations", page_of("Invitation"))},
})
