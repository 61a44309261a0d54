"""API: check-ins, answering like pretix's redeem (ok / already_checked_in / unknown_code …)."""

from flask import g
from sqlalchemy import select

from checkin.accounts.models import Role
from checkin.api.common import (
    DOOR_ROLES,
    api_event,
    api_event_with_token,
    api_role,
    api_token,
    body,
    bp,
    field,
    instant,
    paginated,
    token_slug,
    unauthorized,
)
from checkin.api.openapi import add_path, add_schema, json_body, json_response, page_of, param, ref
from checkin.api.serializers import checkin_json, door_attendee_json
from checkin.door.models import CheckIn, ScanResult
from checkin.door.services import ScanAnswer, check_in_with_token, undo_check_in
from checkin.errors import DomainError

DATE_TIME = {"type": "string", "format": "date-time"}
REASONS = ScanResult.refusals()
add_schema("CheckInRequest", {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": {"type": "string", "minLength": 1, "maxLength": 300,
                 "description": "What was scanned: our card URL, a card code, an imported "
                                "ticket code or a Luma check-in URL"},
        "type": {"type": "string", "enum": ["entry", "exit"], "default": "entry"},
        "nonce": {"type": "string", "maxLength": 64,
                  "description": "Chosen by the device; a repeated nonce never counts twice"},
        "scanned_at": {**DATE_TIME, "description": "When the device scanned (offline queues)"},
        "gate": {"type": "string", "maxLength": 60},
        "device": {"type": "string", "maxLength": 100},
    },
})
add_schema("DoorAttendee", {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "display_name": {"type": "string"},
        "company": {"type": "string"}, "ticket_type": {"type": "string"},
        "card_code": {"type": "string", "description": "For owners only"},
        "card_url": {"type": "string", "description": "For owners only"},
        "attention_note": {"type": "string"},
        "checked_in_at": {**DATE_TIME, "nullable": True}, "checked_in_gate": {"type": "string"},
        "inside": {"type": "boolean"},
    },
})
add_schema("CheckIn", {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "type": {"type": "string", "enum": ["entry", "exit"]},
        "code": {"type": "string"}, "result": {"type": "string"},
        "attendee_id": {"type": "integer", "nullable": True},
        "scanned_at": DATE_TIME, "received_at": DATE_TIME, "gate": {"type": "string"},
        "device": {"type": "string"}, "nonce": {"type": "string"},
        "undone_at": {**DATE_TIME, "nullable": True},
    },
})
add_schema("CheckInAnswer", {
    "type": "object",
    "required": ["status", "checkin", "replayed"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "error"]},
        "reason": {"type": "string", "enum": REASONS},
        "checkin": ref("CheckIn"),
        "attendee": {**ref("DoorAttendee"), "nullable": True},
        "previous": {"type": "object", "nullable": True,
                     "properties": {"scanned_at": DATE_TIME, "gate": {"type": "string"}}},
        "replayed": {"type": "boolean"},
    },
})


def shows_cards(event) -> bool:
    """Whether the token's organizer may read card codes here: owners yes, door staff no."""
    return api_role(event) == Role.OWNER


def answer_json(answer: ScanAnswer, cards: bool) -> tuple[dict, int]:
    """The scan's answer and its HTTP status: 201 let in, 404 not a guest here, 200 else."""
    attendee = answer.attendee
    data = {"status": "ok" if answer.ok else "error",
            "checkin": checkin_json(answer.log, cards),
            "attendee": door_attendee_json(attendee, cards) if attendee else None,
            "previous": None, "replayed": answer.replayed}
    if not answer.ok:
        data["reason"] = answer.result.value
    if answer.previous is not None:
        data["previous"] = {"scanned_at": answer.previous.scanned_at.isoformat(),
                            "gate": answer.previous.gate}
    if answer.ok:
        status = 200 if answer.replayed else 201
    elif answer.result in (ScanResult.UNKNOWN_CODE, ScanResult.WRONG_EVENT):
        status = 404
    else:
        status = 200
    return data, status


@bp.post("/events/<slug>/checkins")
def create_checkin(slug):
    try:
        data = body()
        scan = {"code": field(data, "code", str, required=True, max_length=300),
                "kind": field(data, "type", str, default="entry"),
                "nonce": field(data, "nonce", str, max_length=64) or None,
                "scanned_at": instant(data, "scanned_at"),
                "gate": field(data, "gate", str, default="", max_length=60),
                "device": field(data, "device", str, default="", max_length=100)}
    except DomainError:
        api_event_with_token(slug, door=True)  # a bad token is answered before a bad body
        raise
    # The token, its event and the guest are one read (see check_in_with_token).
    found = check_in_with_token(api_token(), token_slug(slug), DOOR_ROLES, **scan)
    if found is None:
        raise unauthorized()
    g.api_role = (found.event.id, found.role)
    return answer_json(found.answer, shows_cards(found.event))


@bp.get("/events/<slug>/checkins")
def list_checkins(slug):
    event = api_event(slug, door=True)
    query = select(CheckIn).filter_by(event_id=event.id).order_by(CheckIn.id.desc())
    cards = shows_cards(event)
    return paginated(query, lambda log: checkin_json(log, cards), "api.list_checkins", slug=slug)


@bp.post("/events/<slug>/checkins/<int:checkin_id>/undo")
def undo(slug, checkin_id):
    event = api_event(slug, door=True)
    return checkin_json(undo_check_in(event, checkin_id), shows_cards(event))


SLUG = [param("slug")]
ANSWER = ref("CheckInAnswer")
add_path("/events/{slug}/checkins", "post", {
    "summary": "Record a scan at the door (entry or exit)",
    "description": "201 ok (let in); 200 with status error and reason already_checked_in "
                   "(with when and which gate), not_checked_in or duplicate; 404 with reason "
                   "unknown_code or wrong_event. A repeated nonce returns the first answer "
                   "(replayed: true) and records nothing; nonces are per event, and the same "
                   "nonce with another code is refused (409 nonce_reused). A scanned_at more "
                   "than a day away from the event is refused (400 scan_outside_event). Door "
                   "staff's tokens never see card codes.",
    "operationId": "createCheckIn",
    "parameters": SLUG,
    "requestBody": json_body(ref("CheckInRequest")),
    "responses": {"201": json_response("Let in", ANSWER),
                  "200": json_response("Refused, or a replayed nonce", ANSWER),
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "404": json_response("Not a guest of this event (or no such event)", {
                      "oneOf": [ANSWER, ref("Error")]})},
})
add_path("/events/{slug}/checkins", "get", {
    "summary": "The scan log, newest first",
    "operationId": "listCheckIns",
    "parameters": [*SLUG, param("page"), param("per_page")],
    "responses": {"200": json_response("A page of scans", page_of("CheckIn"))},
})
add_path("/events/{slug}/checkins/{checkin_id}/undo", "post", {
    "summary": "Take back an entry recorded less than 15 minutes ago",
    "operationId": "undoCheckIn",
    "parameters": [*SLUG, {"name": "checkin_id", "in": "path", "required": True,
                           "schema": {"type": "integer", "minimum": 1,
                                      "maximum": 2**31 - 1}}],
    "responses": {"200": json_response("The undone scan", ref("CheckIn")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
