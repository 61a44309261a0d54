"""API: the follow-up emails of a closed event — queue and send them, and see how far they got."""


from flask import request
from flask_babel import lazy_gettext as _l

from checkin.api.common import api_event, bp, field
from checkin.api.openapi import add_path, add_schema, json_body, json_response, ref
from checkin.errors import DomainError
from checkin.followups.services import count_recipients, outbox_counts, send_followups
from checkin.mail.models import OutboxStatus

MAX_DELIVER_SECONDS = 20
MAX_RENDER_SECONDS = 20

add_schema("FollowupsRequest", {
    "type": "object",
    "properties": {
        "deliver_seconds": {
            "type": "integer", "minimum": 0, "maximum": MAX_DELIVER_SECONDS, "default": 10,
            "description": "Deliver for at most this long before answering; what is left "
                           "waits for the sender (`checkin followups send SLUG`). 0 only queues."},
    },
})
add_schema("Followups", {
    "type": "object",
    "required": ["recipients", "queued", "summaries_queued", "outbox"],
    "properties": {
        "recipients": {"type": "integer", "description": "Attendees who get a follow-up"},
        "queued": {"type": "integer", "description": "Follow-ups added by this request"},
        "summaries_queued": {"type": "integer"},
        "outbox": {"type": "object", "description": "The event's follow-ups and summaries "
                                                    "by status",
                   "properties": {name: {"type": "integer"} for name in
                                  [*(s.value for s in OutboxStatus), "total"]}},
        "delivery_stopped": {"type": "string",
                             "description": "Why sending stopped (nothing is lost)"},
    },
})


@bp.get("/events/<slug>/followups")
def followups_status(slug):
    event = api_event(slug)
    return {"recipients": count_recipients(event), "queued": 0, "summaries_queued": 0,
            "outbox": outbox_counts(event.id)}


@bp.post("/events/<slug>/followups")
def post_followups(slug):
    """Queue every follow-up and the owners' summaries (again is harmless), then deliver a while."""
    data = request.get_json(silent=True) if request.content_length else {}
    if not isinstance(data, dict):
        raise DomainError("bad_json", _l("The body must be a JSON object."))
    seconds = field(data, "deliver_seconds", int, default=10)
    if not 0 <= seconds <= MAX_DELIVER_SECONDS:
        raise DomainError("bad_field", _l("deliver_seconds must be 0 to %(n)d.",
                                          n=MAX_DELIVER_SECONDS), field="deliver_seconds")
    run = send_followups(api_event(slug), render_seconds=MAX_RENDER_SECONDS,
                         deliver_seconds=seconds)
    answer = {"recipients": run.recipients, "queued": run.queued,
              "summaries_queued": run.summaries_queued, "outbox": run.outbox}
    if run.stopped:
        answer["delivery_stopped"] = run.stopped
    return answer, 202 if run.outbox["pending"] or run.unrendered else 200


SLUG = [{"$ref": "#/components/parameters/slug"}]
add_path("/events/{slug}/followups", "get", {
    "summary": "How far the follow-up emails got",
    "operationId": "getFollowups",
    "parameters": SLUG,
    "responses": {"200": json_response("Counts", ref("Followups"))},
})
add_path("/events/{slug}/followups", "post", {
    "summary": "Send the follow-up emails of a closed event (one per attendee, ever)",
    "description": "Renders and queues one follow-up per attendee who was there (checked in "
                   "or exchanged a card) and did not unsubscribe, and the summary for each "
                   "owner; then delivers for up to `deliver_seconds`. Calling it again queues "
                   "nothing twice and continues the delivery. 409 if the event is not closed.",
    "operationId": "sendFollowups",
    "parameters": SLUG,
    "requestBody": json_body(ref("FollowupsRequest"), required=False),
    "responses": {"200": json_response("All delivered (or failed)", ref("Followups")),
                  "202": json_response("Some still waiting", ref("Followups")),
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
