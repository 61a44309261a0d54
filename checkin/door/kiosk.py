"""Self check-in: a tablet at the entrance where each guest shows their own QR.

A staff member signed in at the door turns this browser into a kiosk for one event. The
kiosk checks people in and shows each their own name; it has no search, no list, no exit
and no roster, and while it is a kiosk this browser's session reaches nothing else of the
console. Leaving kiosk mode takes the staff member's password, checked here.
"""

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from checkin.accounts.services import event_for, sign_in_attempt
from checkin.door.badges import badge_for
from checkin.door.models import ScanResult
from checkin.door.pages import DOOR_ROLES
from checkin.door.services import check_in
from checkin.errors import DomainError
from checkin.errors_web import json_refusal
from checkin.i18n import in_each_language
from checkin.inputs import json_object

kiosk = Blueprint("kiosk", __name__, url_prefix="/console/events/<slug>/door/kiosk")

SESSION_KEY = "kiosk"
# What a kiosk's session may still reach: the kiosk itself, and a fresh CSRF token.
KIOSK_ENDPOINTS = {"kiosk.page", "kiosk.scans", "kiosk.leave", "door_api.token"}


def kiosk_words() -> list[tuple[str, dict[str, str]]]:
    """What the kiosk says, in each language at once: [(language, {key: text})]."""
    return in_each_language(lambda: {
        "title": _("Check yourself in"),
        "show": _("Show the QR code of your ticket or your card to the camera"),
        "hold": _("Hold your phone still, about a hand away from the screen"),
        "ok": _("You are checked in"),
        "already_checked_in": _("You were already checked in"),
        "unknown": _("We could not find this code"),
        "unknown_help": _("Please ask a person at the entrance"),
        "failed": _("We could not check you in right now"),
        "camera": _("Start the camera"),
    })


def _kiosk_event(slug):
    return event_for(current_user, slug, roles=DOOR_ROLES)


@kiosk.get("")
@login_required
def page(slug):
    event = _kiosk_event(slug)
    if session.get(SESSION_KEY) != event.slug:  # not a kiosk yet: offer to make it one
        return render_template("door/kiosk_start.html", event=event)
    return render_template("door/kiosk.html", event=event, words=kiosk_words())


@kiosk.post("/start")
@login_required
def start(slug):
    """Turn this browser into the event's kiosk (from the door page)."""
    event = _kiosk_event(slug)
    session[SESSION_KEY] = event.slug
    return redirect(url_for("kiosk.page", slug=event.slug), code=303)


@kiosk.post("/leave")
@login_required
def leave(slug):
    """Back to the door, with the signed-in staff member's password."""
    event = _kiosk_event(slug)
    try:
        sign_in_attempt(current_user.email, request.form.get("password", ""),
                        request.remote_addr)
    except DomainError as error:
        flash(error.message, "error")
        # A wrong password is a form to fill again (400); too many tries keep their 429.
        status = 400 if error.code == "bad_login" else error.status
        return render_template("door/kiosk.html", event=event, words=kiosk_words(),
                               leaving=True), status
    session.pop(SESSION_KEY, None)
    return redirect(url_for("door.door", slug=event.slug), code=303)


@kiosk.post("/scans")
def scans(slug):
    """One guest's own QR: entry only, answered with that guest's name and nothing else.

    A code that opens nobody here (unknown, another event's) is one answer, ``unknown``,
    so the kiosk tells nobody which codes exist. With ``badge``, a green answer carries
    the guest's badge page, for the kiosk to print.
    """
    try:
        if not current_user.is_authenticated:
            raise DomainError("signed_out", _l("Sign in again to use the door."), status=401)
        event = _kiosk_event(slug)
        if session.get(SESSION_KEY) != event.slug:
            raise DomainError("not_a_kiosk", _l("This device is not this event's kiosk."),
                              status=409)
        return _kiosk_answer(event, json_object())
    except DomainError as error:  # the kiosk reads JSON: its refusals are JSON
        return json_refusal(error)


def _kiosk_answer(event, body: dict) -> dict:
    answer = check_in(event, str(body.get("code") or ""), kind="entry",
                      nonce=str(body["nonce"]) if body.get("nonce") else None,
                      gate=str(body.get("gate") or "")[:60] or _("Kiosk"),
                      device=str(body.get("device") or ""),
                      organizer=current_user._get_current_object())
    if answer.attendee is None:
        return {"status": "error", "result": "unknown"}
    repeat = answer.result in (ScanResult.ALREADY_CHECKED_IN, ScanResult.DUPLICATE)
    reply = {"status": "ok" if answer.ok else "error",
             "result": "ok" if answer.ok else "already_checked_in" if repeat else "unknown",
             "name": answer.attendee.person.display_name, "replayed": answer.replayed}
    if answer.ok and body.get("badge") and not answer.replayed:
        reply["badge"] = render_template("door/badge.html", event=event,
                                         badge=badge_for(event, answer.attendee.id))
    return reply


def keep_to_the_kiosk():
    """A kiosk's session reaches the kiosk only: the console, the door page and its roster
    answer as if they were not there (a page goes back to the kiosk, JSON is refused)."""
    if not request.path.startswith("/console") or SESSION_KEY not in session:
        return None
    if not current_user.is_authenticated or request.endpoint in KIOSK_ENDPOINTS:
        return None
    if request.blueprint == "door_api":
        return json_refusal(DomainError("kiosk", _l("This device is a kiosk."), status=403))
    return redirect(url_for("kiosk.page", slug=session[SESSION_KEY]))


def init_app(app) -> None:
    app.register_blueprint(kiosk)
    app.before_request(keep_to_the_kiosk)
