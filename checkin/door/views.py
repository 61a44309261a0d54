"""The door page, its JSON endpoints, the live dashboard and the badge sheets."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import or_, select
from werkzeug.exceptions import HTTPException

from checkin.accounts.models import Role
from checkin.accounts.services import event_for
from checkin.charts import arrivals_svg
from checkin.columns import now_utc
from checkin.door import badges as badge_sheets
from checkin.door import dashboard
from checkin.door.models import CheckIn
from checkin.door.services import ScanAnswer, check_in, undo_check_in
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.people.models import Attendee, Person

DOOR_ROLES = (Role.OWNER, Role.DOOR)
MAX_BATCH = 500
SEARCH_LIMIT = 20

pages = Blueprint("door", __name__, url_prefix="/console/events/<slug>")
api = Blueprint("door_api", __name__, url_prefix="/console/events/<slug>/door")


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


# -- pages -------------------------------------------------------------------------------------

@pages.get("/door")
@login_required
def door(slug):
    event = event_for(current_user, slug, roles=DOOR_ROLES)
    return render_template("door/door.html", event=event, strings=door_strings())


def door_strings() -> dict[str, str]:
    """The words door.js shows, translated; %(name)s placeholders are filled in by the script."""
    return {
        "ok_entry": pgettext("door result", "Checked in"),
        "ok_exit": pgettext("door result", "Checked out"),
        "already_checked_in": pgettext("door result", "Already checked in"),
        "duplicate": pgettext("door result", "Already checked in"),
        "not_checked_in": _("Not checked in"),
        "unknown_code": _("Unknown code"),
        "wrong_event": _("Not on this event"),
        "error": _("Could not check in"),
        "since": _("at %(time)s"),
        "by_gate": _("at %(time)s by %(gate)s"),
        "offline_saved": _("Offline: saved, will upload when back online"),
        "offline_unknown": _("Not in the offline list: check the ticket by hand"),
        "online": _("Online"),
        "offline": _("Offline"),
        "pending": _("%(count)s scans waiting to upload"),
        "pending_one": _("1 scan waiting to upload"),
        "inside": _("Inside since %(time)s"),
        "no_matches": _("Nobody found"),
        "undo": _("Undo"),
        "undone": _("Undone"),
        "camera_denied": _("The camera could not start. Type the code or search instead."),
        "signed_out": _("You are signed out. Sign in again to keep uploading."),
    }


@pages.get("/dashboard")
@login_required
def dashboard_page(slug):
    event = event_for(current_user, slug)
    args = request.args
    table = dashboard.attendee_page(
        event, query=args.get("q", ""), sort=args.get("sort", "name"),
        status=args.get("status", "all"), page=args.get("page", 1, type=int))
    return render_template("door/dashboard.html", event=event, table=table,
                           **_live_context(event), q=args.get("q", ""),
                           sort=args.get("sort", "name"), status=args.get("status", "all"))


@pages.get("/dashboard/live")
@login_required
def dashboard_live(slug):
    """The figures and the chart alone; the dashboard's script swaps them in every few seconds."""
    event = event_for(current_user, slug)
    return render_template("door/_live.html", event=event, **_live_context(event))


def _live_context(event) -> dict:
    chart = arrivals_svg(dashboard.arrivals(event), tz=event.timezone,
                         title=_("Arrivals per 5 minutes"), empty_text=_("No arrivals yet"))
    return {"figures": dashboard.figures(event), "chart": chart, "now": now_utc()}


@pages.app_template_filter("door_time")
def door_time(at: datetime | None, tz: str, seconds: bool = False) -> str:
    """An instant as the clock at the venue shows it."""
    if at is None:
        return ""
    return at.astimezone(ZoneInfo(tz)).strftime("%H:%M:%S" if seconds else "%H:%M")


@pages.get("/badges")
@login_required
def badges(slug):
    event = event_for(current_user, slug)
    paper = request.args.get("paper", "a4")
    if paper not in badge_sheets.PAPERS:
        paper = "a4"
    ids = [int(i) for i in request.args.getlist("id") if i.isdigit()] or None
    batch = request.args.get("batch", 1, type=int)
    sheets, batches, total = badge_sheets.badge_batch(event, ids, batch)
    return render_template("door/badges.html", event=event, sheets=sheets, paper=paper,
                           ids=ids or [], batch=min(max(batch, 1), batches), batches=batches,
                           total=total)


# -- JSON endpoints of the door page -----------------------------------------------------------

@api.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return jsonify(error.as_json()), error.status


@api.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = "csrf" if "CSRF" in (error.description or "") else (error.name or "error").lower()
    body = {"error": {"code": code.replace(" ", "_"), "message": error.description}}
    return jsonify(body), error.code


@api.before_request
def _signed_in():
    if not current_user.is_authenticated:
        raise DomainError("signed_out", "Sign in again to use the door.", status=401)


def _door_event(slug):
    return event_for(current_user, slug, roles=DOOR_ROLES)


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
    """What the device keeps to decide offline: codes, names, ticket types, attention notes.

    Nothing else: no emails, no notes, no search key (it holds the email). With
    ``since`` (an ISO time), only the attendees added or scanned (or un-scanned) since.
    """
    event = _door_event(slug)
    synced_at = now_utc()
    where = [Attendee.event_id == event.id]
    since = _scan_time(request.args.get("since"))
    if since is not None:
        if since.tzinfo is None:
            raise DomainError("bad_time", "since needs a time zone offset.")
        scanned = select(CheckIn.attendee_id).where(
            CheckIn.event_id == event.id, CheckIn.attendee_id.is_not(None),
            or_(CheckIn.received_at > since, CheckIn.undone_at > since))
        where.append(or_(Attendee.created_at > since, Attendee.id.in_(scanned)))
    rows = db.session.execute(
        select(Attendee.card_code, Attendee.ticket_code, Person.display_name,
               Attendee.ticket_type, Attendee.attention_note, Attendee.inside,
               Attendee.checked_in_at, Attendee.checked_in_gate)
        .join(Person, Person.id == Attendee.person_id)
        .where(*where)
    ).all()
    people = [{"c": c, "t": t, "n": n, "y": y, "a": a, "in": bool(inside), "at": _iso(at),
               "g": g} for c, t, n, y, a, inside, at, g in rows]
    return {"event": event.slug, "synced_at": _iso(synced_at), "full": since is None,
            "attendees": people}


@api.get("/search")
def search(slug):
    """Attendees whose name, email or ticket code holds the query, accents and case ignored."""
    event = _door_event(slug)
    query = request.args.get("q", "")
    if len(query.strip()) < 2:
        return {"attendees": []}
    rows = db.session.execute(
        select(Attendee.card_code, Person.display_name, Attendee.ticket_type,
               Attendee.attention_note, Attendee.inside, Attendee.checked_in_at,
               Attendee.checked_in_gate)
        .join(Person, Person.id == Attendee.person_id)
        .where(Attendee.event_id == event.id, dashboard.search_filter(query))
        .order_by(Person.display_name, Attendee.id)
        .limit(SEARCH_LIMIT)
    ).all()
    return {"attendees": [{"c": c, "n": n, "y": y, "a": a, "in": bool(inside), "at": _iso(at),
                           "g": g} for c, n, y, a, inside, at, g in rows]}


def _scan_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as error:
        raise DomainError("bad_time", "scanned_at must be an ISO 8601 time.") from error


def answer_json(answer: ScanAnswer) -> dict:
    """What the door page shows for one scan."""
    attendee, previous, log = answer.attendee, answer.previous, answer.checkin
    return {
        "status": "ok" if answer.ok else "error",
        "result": answer.result,
        "nonce": log.nonce,
        "checkin_id": log.id,
        "type": log.kind,
        "scanned_at": _iso(log.scanned_at),
        "replayed": answer.replayed,
        "attendee": None if attendee is None else {
            "c": attendee.card_code, "n": attendee.person.display_name,
            "y": attendee.ticket_type, "a": attendee.attention_note, "in": attendee.inside,
            "at": _iso(attendee.checked_in_at), "g": attendee.checked_in_gate,
        },
        "previous": None if previous is None else {
            "at": _iso(previous.scanned_at), "gate": previous.gate,
        },
    }


def _one_scan(event, scan: dict) -> dict:
    if not isinstance(scan, dict):
        raise DomainError("bad_scan", "Each scan is an object.")
    answer = check_in(
        event, str(scan.get("code") or ""), kind=str(scan.get("type") or "entry"),
        nonce=str(scan["nonce"]) if scan.get("nonce") else None,
        scanned_at=_scan_time(scan.get("scanned_at")), gate=str(scan.get("gate") or ""),
        device=str(scan.get("device") or ""), organizer=current_user._get_current_object(),
        queued=bool(scan.get("queued")))
    return answer_json(answer)


@api.post("/scans")
def scans(slug):
    """One scan (an object), or a device's offline queue (``{"scans": [...]}``), in order."""
    event = _door_event(slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError("bad_json", "Send a JSON object.")
    if "scans" not in body:
        return _one_scan(event, body)
    queue = body["scans"]
    if not isinstance(queue, list) or len(queue) > MAX_BATCH:
        raise DomainError("bad_batch", f"Send a list of at most {MAX_BATCH} scans.")
    results = []
    for scan in queue:
        try:
            results.append(_one_scan(event, scan))
        except DomainError as error:
            db.session.rollback()
            nonce = scan.get("nonce") if isinstance(scan, dict) else None
            results.append({"status": "error", "result": error.code, "nonce": nonce,
                            "message": error.message, "rejected": True})
    return {"results": results}


@api.post("/checkins/<int:checkin_id>/undo")
def undo(slug, checkin_id):
    """Take back a check-in made by mistake, within 15 minutes."""
    event = _door_event(slug)
    log = undo_check_in(event, checkin_id)
    attendee = db.session.get(Attendee, log.attendee_id)
    return {"status": "ok", "checkin_id": log.id,
            "attendee": {"c": attendee.card_code, "in": attendee.inside,
                         "at": _iso(attendee.checked_in_at), "g": attendee.checked_in_gate}}
