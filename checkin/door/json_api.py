"""The door page's JSON endpoints: its roster, search, scans, undo, token and worker."""

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from checkin.accounts.services import event_for
from checkin.columns import now_utc
from checkin.door import queries
from checkin.door.codes import door_key
from checkin.door.pages import DOOR_ROLES
from checkin.door.services import ScanAnswer, check_in, undo_check_in
from checkin.errors import DomainError
from checkin.errors_web import json_refusal
from checkin.inputs import json_object
from checkin.instants import parse_instant

MAX_BATCH = 500

api = Blueprint("door_api", __name__, url_prefix="/console/events/<slug>/door")


# The door page reads JSON: its refusals are JSON (in the volunteer's language), not pages.
api.register_error_handler(DomainError, json_refusal)


@api.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = "csrf" if "CSRF" in (error.description or "") else (error.name or "error").lower()
    body = {"error": {"code": code.replace(" ", "_"), "message": error.description}}
    return jsonify(body), error.code


@api.before_request
def _signed_in():
    if not current_user.is_authenticated:
        raise DomainError("signed_out", _l("Sign in again to use the door."), status=401)


def _door_event(slug):
    return event_for(current_user, slug, roles=DOOR_ROLES)


def _instant(value, name: str):
    if value in (None, ""):
        return None
    return parse_instant(value, name)  # refuses what is not a date and time, text or not


@api.get("/sw.js")
def service_worker(slug):
    """The worker that keeps the door page's shell; its scope is the door page."""
    _door_event(slug)
    script = (Path(current_app.static_folder) / "door-sw.js").read_text()
    return current_app.response_class(
        script, mimetype="text/javascript",
        headers={"Service-Worker-Allowed": url_for("door.door", slug=slug)})


@api.get("/token")
def token(slug):
    """A fresh CSRF token, for a door page left open longer than a token lives."""
    _door_event(slug)
    return {"csrf_token": generate_csrf()}


@api.get("/roster")
def roster(slug):
    """What the device keeps to decide offline (see :mod:`checkin.door.queries`).

    With ``since`` (an ISO time), only the attendees added or scanned (or un-scanned)
    since. ``key`` is what the device hashes a scanned card code with.
    """
    event = _door_event(slug)
    synced_at = now_utc()
    since = _instant(request.args.get("since"), "since")
    return {"event": event.slug, "synced_at": synced_at.isoformat(), "full": since is None,
            "key": door_key(event), "attendees": queries.roster(event, since)}


@api.get("/search")
def search(slug):
    """Attendees found by each word of the query (the start of a word of their name, email,
    company or ticket code), accents and case ignored."""
    event = _door_event(slug)
    return {"attendees": queries.search(event, request.args.get("q", ""))}


def answer_json(event, answer: ScanAnswer) -> dict:
    """What the door page shows for one scan."""
    attendee, previous, log = answer.attendee, answer.previous, answer.log
    return {
        "status": "ok" if answer.ok else "error",
        "result": answer.result,
        "nonce": answer.nonce or log.nonce,
        "checkin_id": log.id,
        "type": log.kind,
        "scanned_at": log.scanned_at.isoformat(),
        "replayed": answer.replayed,
        "attendee": None if attendee is None else queries.scanned_guest_row(attendee,
                                                                            door_key(event)),
        "previous": None if previous is None else {
            "at": previous.scanned_at.isoformat(), "gate": previous.gate,
        },
    }


def _one_scan(event, scan: dict) -> dict:
    if not isinstance(scan, dict):
        raise DomainError("bad_scan", _l("Each scan is an object."))
    answer = check_in(
        event, str(scan.get("code") or ""), attendee_id=scan.get("attendee"),
        kind=str(scan.get("type") or "entry"),
        nonce=str(scan["nonce"]) if scan.get("nonce") else None,
        scanned_at=_instant(scan.get("scanned_at"), "scanned_at"),
        gate=str(scan.get("gate") or ""), device=str(scan.get("device") or ""),
        organizer=current_user._get_current_object(), queued=bool(scan.get("queued")))
    return answer_json(event, answer)


@api.post("/scans")
def scans(slug):
    """One scan (an object), or a device's offline queue (``{"scans": [...]}``), in order.

    A scan names its person by ``code`` (scanned or typed) or by ``attendee`` (an id
    from the roster or the search).
    """
    event = _door_event(slug)
    body = json_object()
    if "scans" not in body:
        return _one_scan(event, body)
    queue = body["scans"]
    if not isinstance(queue, list) or len(queue) > MAX_BATCH:
        raise DomainError("bad_batch", _l("Send a list of at most %(n)d scans.", n=MAX_BATCH))
    results = []
    for scan in queue:
        try:
            results.append(_one_scan(event, scan))
        except DomainError as error:  # refused before anything was written
            nonce = scan.get("nonce") if isinstance(scan, dict) else None
            results.append({"status": "error", "result": error.code, "nonce": nonce,
                            "message": error.message, "rejected": True})
    return {"results": results}


@api.post("/checkins/<int:checkin_id>/undo")
def undo(slug, checkin_id):
    """Take back a check-in made by mistake, within 15 minutes."""
    event = _door_event(slug)
    log = undo_check_in(event, checkin_id)
    return {"status": "ok", "checkin_id": log.id,
            "attendee": queries.door_guest(event, log.attendee_id)}
