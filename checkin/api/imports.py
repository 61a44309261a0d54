"""API: import a guest list — a preview by default, written with ``?confirm=true`` or by
confirming the preview's upload; a large import continues in steps."""

from flask import g, request, url_for
from flask_babel import lazy_gettext as _l

from checkin.api.common import api_event, bp, iso
from checkin.api.openapi import add_path, add_schema, json_response, param, ref
from checkin.errors import DomainError
from checkin.guestlists.services import (
    confirm_upload,
    keep_upload,
    plan_import,
    run_import,
    upload_for,
)

LINE_REASON = {"type": "object", "properties": {"line": {"type": "integer"},
                                                 "reason": {"type": "string"}}}
add_schema("ImportUpload", {
    "type": "object", "required": ["id", "state", "staged", "total", "url"],
    "properties": {
        "id": {"type": "string"},
        "state": {"type": "string", "enum": ["previewed", "importing", "done", "failed"]},
        "staged": {"type": "integer", "description": "Rows prepared so far"},
        "total": {"type": "integer", "description": "Rows to write"},
        "expires_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string"},
        "result": {"type": "object", "nullable": True},
        "error": {"type": "string"},
    },
})
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
        "upload": ref("ImportUpload"),
    },
})


def _uploaded() -> tuple[bytes, str]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise DomainError("missing_file",
                              _l("Send the guest list as the form field “file”."), field="file")
        return upload.read(), upload.filename or ""
    return request.get_data(), ""


def _confirm() -> bool:
    value = request.args.get("confirm", "false").lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise DomainError("bad_parameter", _l("%(name)s must be true or false.", name="confirm"),
                          field="confirm")
    return value in ("true", "1", "yes")


def _upload_json(upload) -> dict:
    return {"id": upload.id, "state": upload.state, "staged": upload.staged,
            "total": upload.total, "expires_at": iso(upload.expires_at),
            "url": url_for("api.import_upload", slug=request.view_args["slug"],
                           upload_id=upload.id),
            "result": upload.result, "error": upload.error}


def _run(upload):
    """201 with the result when this request imported it (a small file), else its state."""
    result = run_import(upload)
    if result is not None:
        return {**result, "upload": _upload_json(upload)}, 201
    return _state(upload)


def _state(upload):
    if upload.state == "failed":
        raise DomainError("import_failed", upload.error, status=409)
    status = 202 if upload.state == "importing" else 200
    answer = _upload_json(upload)
    return answer, status, ({"Location": answer["url"]} if status == 202 else {})


@bp.post("/events/<slug>/imports")
def import_guests(slug):
    event = api_event(slug)
    confirm = _confirm()
    data, filename = _uploaded()
    if not confirm:
        plan = plan_import(event, data)
        upload = keep_upload(event, data, organizer=g.api_organizer, filename=filename)
        return {**plan.as_json(), "upload": _upload_json(upload)}
    upload = keep_upload(event, data, organizer=g.api_organizer, filename=filename)
    confirm_upload(upload)
    return _run(upload)


@bp.get("/events/<slug>/imports/<upload_id>")
def import_upload(slug, upload_id):
    return _state(upload_for(api_event(slug), upload_id, organizer=g.api_organizer))


@bp.post("/events/<slug>/imports/<upload_id>")
def confirm_import_upload(slug, upload_id):
    upload = upload_for(api_event(slug), upload_id, organizer=g.api_organizer)
    confirm_upload(upload)  # once: a repeated or simultaneous confirm continues the same run
    return _run(upload)


IMPORT_DESCRIPTION = (
    "Without confirm, answers what would change and writes nothing but the upload, kept for "
    "an hour under `upload.id` (confirm it with `POST /events/{slug}/imports/{id}`). With "
    "confirm=true, imports the file: all of it (201) or nothing; the same file again changes "
    "nothing, and two confirmations at once never add anyone twice. A file over 512 KB is "
    "imported in the background: 202 with its progress; `GET` its `url` to watch it (`POST` "
    "it to resume an import whose server stopped). Send the file as the body (text/csv) or "
    "as the multipart form field “file”.")
UPLOAD_ID = {"name": "upload_id", "in": "path", "required": True,
             "schema": {"type": "string", "maxLength": 32}}
PROGRESS = json_response("Importing in the background: how far it is; watch its url",
                         ref("ImportUpload"))

add_path("/events/{slug}/imports", "post", {
    "summary": "Import a guest list (CSV or TSV from Eventbrite, Luma, pretix, Tito, Hi.Events, "
               "Meetup, or a spreadsheet)",
    "description": IMPORT_DESCRIPTION,
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
                  "202": PROGRESS,
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/TooLarge"}},
})
add_path("/events/{slug}/imports/{upload_id}", "get", {
    "summary": "An upload and its import: previewed, importing (how far), done or failed",
    "operationId": "getImport",
    "parameters": [param("slug"), UPLOAD_ID],
    "responses": {"200": json_response("Previewed or done", ref("ImportUpload")),
                  "202": PROGRESS,
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
add_path("/events/{slug}/imports/{upload_id}", "post", {
    "summary": "Confirm a previewed upload (once), or resume an import whose server stopped",
    "operationId": "confirmImport",
    "parameters": [param("slug"), UPLOAD_ID],
    "responses": {"201": json_response("Imported by this call", ref("ImportResult")),
                  "200": json_response("Already done", ref("ImportUpload")),
                  "202": PROGRESS,
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
