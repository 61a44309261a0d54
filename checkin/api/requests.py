"""API: an attendee's own requests to meet, for the attendee's own phone (their session
cookie), never for an organizer's token: no organizer can read anyone's requests.

What each side reads follows the pages: the person asked sees who asks and their line; the
asker sees "pending", "accepted" or "expired", never "declined". Writes need the CSRF token
the list hands out, in an ``X-CSRFToken`` header, as any cookie-authenticated write does.
"""

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from checkin.api.common import ATTENDEE_ENDPOINTS, body, bp, field, iso
from checkin.api.openapi import add_path, add_schema, json_body, json_response, ref
from checkin.errors import DomainError
from checkin.events.services import get_event
from checkin.extensions import csrf
from checkin.meeting_requests.models import MESSAGE_LENGTH, MeetingRequest
from checkin.meeting_requests.services import (
    accept_request,
    as_seen_by_asker,
    ask_to_meet,
    decline_request,
    requests_i_made,
    requests_to_me,
)
from checkin.people.cards import public_card
from checkin.people.models import Attendee
from checkin.people.services import attendee_by_card_code
from checkin.people.sessions import signed_in_attendee
from checkin.tokens import normalize_card_code

SECURITY = [{"attendeeSession": []}]


def attendee(slug: str, write: bool = False) -> Attendee:
    """The attendee this browser is signed in as at the event; a bearer token is no sign-in."""
    event = get_event(slug) if "\x00" not in slug and len(slug) <= 64 else None
    me = signed_in_attendee(event) if event is not None else None
    if me is None:
        raise DomainError("not_signed_in", _l(
            "Open the link in your invitation email on this phone first."), status=401)
    if write and current_app.config["WTF_CSRF_ENABLED"]:  # as every page's form is checked
        csrf.protect()
    g.api_attendee = me
    return me


def person_json(other: Attendee) -> dict:
    return {"card_code": other.card_code, **public_card(other.person)}


def to_me_json(request: MeetingRequest) -> dict:
    return {"id": request.id, "from": person_json(request.asker), "message": request.message,
            "asked_at": iso(request.created_at), "expires_at": iso(request.expires_at)}


def mine_json(request: MeetingRequest) -> dict:
    return {"id": request.id, "to": person_json(request.target), "message": request.message,
            "asked_at": iso(request.created_at), "status": as_seen_by_asker(request)}


@bp.get("/me/events/<slug>/requests")
def my_requests(slug):
    me = attendee(slug)
    return {"to_me": [to_me_json(r) for r in requests_to_me(me)],
            "mine": [mine_json(r) for r in requests_i_made(me)],
            "csrf_token": generate_csrf()}


@bp.post("/me/events/<slug>/requests")
def ask(slug):
    me = attendee(slug, write=True)
    data = body()
    code = normalize_card_code(field(data, "card_code", str, required=True, max_length=16))
    target = attendee_by_card_code(code)
    if target is None or target.event_id != me.event_id:
        raise DomainError("unknown_card", _l("No card at this event has this code."),
                          status=404, field="card_code")
    asked = ask_to_meet(me, target, field(data, "message", str, default="",
                                          max_length=MESSAGE_LENGTH))
    if asked.connection is not None:
        return {"connected": True, "request": None}, 200
    return {"connected": False, "request": mine_json(asked.request)}, 201


@bp.post("/me/events/<slug>/requests/<int:request_id>/accept")
def accept(slug, request_id):
    me = attendee(slug, write=True)
    accept_request(me, request_id)
    return {"connected": True}


@bp.post("/me/events/<slug>/requests/<int:request_id>/decline")
def decline(slug, request_id):
    me = attendee(slug, write=True)
    decline_request(me, request_id)
    return {"declined": True}


ATTENDEE_ENDPOINTS.update({"api.my_requests", "api.ask", "api.accept", "api.decline"})

_person = {"type": "object", "properties": {
    name: {"type": "string"} for name in ("card_code", "display_name", "headline", "company",
                                          "what_i_do", "offer", "need", "pitch")}}
add_schema("RequestToMe", {"type": "object", "properties": {
    "id": {"type": "integer"}, "from": _person, "message": {"type": "string"},
    "asked_at": {"type": "string", "format": "date-time"},
    "expires_at": {"type": "string", "format": "date-time"}}})
add_schema("MyRequest", {"type": "object", "properties": {
    "id": {"type": "integer"}, "to": _person, "message": {"type": "string"},
    "asked_at": {"type": "string", "format": "date-time"},
    "status": {"type": "string", "enum": ["pending", "accepted", "expired"],
               "description": "Declined reads as pending until it expires"}}})
_slug = {"name": "slug", "in": "path", "required": True,
         "schema": {"type": "string", "maxLength": 64}}
_id = {"name": "request_id", "in": "path", "required": True,
       "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
_csrf = {"name": "X-CSRFToken", "in": "header", "required": True,
         "description": "The csrf_token of GET /me/events/{slug}/requests",
         "schema": {"type": "string"}}
_refusals = {"403": {"$ref": "#/components/responses/Forbidden"},
             "409": {"$ref": "#/components/responses/Conflict"},
             "429": {"$ref": "#/components/responses/TooMany"}}

add_path("/me/events/{slug}/requests", "get", {
    "summary": "My requests to meet at the event: waiting for my answer, and the ones I made "
               "(signed-in attendee's phone only; an organizer token is refused)",
    "operationId": "listMyRequests", "security": SECURITY, "parameters": [_slug],
    "responses": {"200": json_response("My requests", {"type": "object", "properties": {
        "to_me": {"type": "array", "items": ref("RequestToMe")},
        "mine": {"type": "array", "items": ref("MyRequest")},
        "csrf_token": {"type": "string"}}})},
})
add_path("/me/events/{slug}/requests", "post", {
    "summary": "Ask to meet a fellow attendee, by card code, with one optional line; if they "
               "had asked me, this accepts theirs",
    "operationId": "askToMeet", "security": SECURITY, "parameters": [_slug, _csrf],
    "requestBody": json_body({"type": "object", "required": ["card_code"], "properties": {
        "card_code": {"type": "string", "maxLength": 16},
        "message": {"type": "string", "maxLength": MESSAGE_LENGTH}}}),
    "responses": {
        "201": json_response("Asked", {"type": "object", "properties": {
            "connected": {"type": "boolean"}, "request": ref("MyRequest")}}),
        "200": json_response("They had asked me: connected", {"type": "object"}),
        **_refusals},
})
for verb, summary in (("accept", "Accept a request made to me: we are connected"),
                      ("decline", "Say not now to a request made to me (the asker is not "
                                  "told)")):
    add_path(f"/me/events/{{slug}}/requests/{{request_id}}/{verb}", "post", {
        "summary": summary, "operationId": f"{verb}Request", "security": SECURITY,
        "parameters": [_slug, _id, _csrf],
        "responses": {"200": json_response("Done", {"type": "object"}), **_refusals},
    })
