"""API: import a guest list — a preview by default, written with ``?confirm=true``."""

from flask import request

from checkin.api.common import api_event, bp
from checkin.api.openapi import add_path, add_schema, json_response, param, ref
from checkin.errors import DomainError
from checkin.guestlists.services import apply_import, plan_import

LINE_REASON = {"type": "object", "properties": {"line": {"type": "integer"},
                                                 "reason": {"type": "string"}}}
add_schema("ImportResult", {
    "type": "object",
    "required": ["format", "rows", "create", "update", "unchanged", "skip", "committed"],
    "properties": {
        "format": {"type": "string", "enum": ["eventbrite", "luma", "pretix", "tito",
                                              "hi_events", "meetup", "spreadsheet"]},
        "format_label": {"type": "string"},
        "encoding": {"type": "string"}, "delimiter": {"type": "string"},
        "rows": {"type": "integer"}, "create": {"type": "integer"},
        "update": {"type": "integer"}, "unchanged": {"type": "integer"},
        "skip": {"type": "integer"}, "committed": {"type": "boolean"},
        "skipped": {"type": "array", "items": LINE_REASON},
        "warnings": {"type": "array", "items": {
            "type": "object", "properties": {"line": {"type": "integer"},
                                             "message": {"type": "string"}}}},
        "updates": {"type": "array", "items": {"type": "object"}},
    },
})


def _uploaded() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise DomainError("missing_file", "Send the guest list as the form field “file”.")
        return upload.read()
    return request.get_data()


def _confirm() -> bool:
    value = request.args.get("confirm", "false").lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise DomainError("bad_parameter", "confirm must be true or false.", field="confirm")
    return value in ("true", "1", "yes")


@bp.post("/events/<slug>/imports")
def import_guests(slug):
    event = api_event(slug)
    confirm = _confirm()
    data = _uploaded()
    if confirm:
        return apply_import(event, data).as_json(), 201
    return plan_import(event, data).as_json()


add_path("/events/{slug}/imports", "post", {
    "summary": "Import a guest list (CSV or TSV from Eventbrite, Luma, pretix, Tito, Hi.Events, "
               "Meetup, or a spreadsheet)",
    "description": "Without confirm, answers what would change and writes nothing. With "
                   "confirm=true, writes all of it in one transaction (201) or nothing. The same "
                   "file again changes nothing. Send the file as the body (text/csv) or as the "
                   "multipart form field “file”.",
    "operationId": "importGuests",
    "parameters": [param("slug"), {"name": "confirm", "in": "query",
                                   "schema": {"type": "boolean", "default": False}}],
    "requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"200": json_response("The preview", ref("ImportResult")),
                  "201": json_response("Imported", ref("ImportResult")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
