"""The door's pages: the door itself, the live dashboard and the badge sheets."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user, login_required

from checkin.accounts.models import Role
from checkin.accounts.services import event_for
from checkin.charts import arrivals_svg
from checkin.columns import now_utc
from checkin.door import badges as badge_sheets
from checkin.door import dashboard
from checkin.door.codes import CARD_HASH_HEX
from checkin.door.models import ScanResult
from checkin.door.services import UNDO_WINDOW
from checkin.errors import DomainError
from checkin.i18n import current_language, in_each_language, plural_forms
from checkin.inputs import database_id
from checkin.people.invitations import event_when
from checkin.people.models import SEARCH_TERM_LENGTH
from checkin.people.search import MAX_WORDS
from checkin.qr import drawing_for
from checkin.security import framed_by_this_site
from checkin.tokens import card_code_pattern

DOOR_ROLES = (Role.OWNER, Role.DOOR)

pages = Blueprint("door", __name__, url_prefix="/console/events/<slug>")


@pages.get("/door")
@login_required
def door(slug):
    event = event_for(current_user, slug, roles=DOOR_ROLES)
    return render_template("door/door.html", event=event, strings=door_strings(),
                           config=door_config())


def door_config() -> dict:
    """The door's rules the script needs, as data: how a card code looks, the language its
    counts are written in, how long an undo is possible, what colour each answer shows, how
    a search matches."""
    return {"card": card_code_pattern(), "card_hash_hex": CARD_HASH_HEX,
            "language": current_language(),
            "undo_seconds": int(UNDO_WINDOW.total_seconds()),
            "search": {"term_length": SEARCH_TERM_LENGTH, "max_words": MAX_WORDS},
            "colours": {result.value: result.colour for result in ScanResult}}


def door_strings() -> dict[str, str | dict[str, str]]:
    """The words the door script shows, translated; %(name)s placeholders are filled in by it.

    A count's words come in each plural form of the language (see ``plural_forms``)."""
    return {
        "ok_entry": pgettext("door result", "Checked in"),
        "ok_exit": pgettext("door result", "Checked out"),
        "already_checked_in": pgettext("door result", "Already checked in"),
        "duplicate": pgettext("door result", "Already checked in"),
        "not_checked_in": _("Not checked in"),
        "unknown_code": _("Unknown code"),
        "wrong_event": _("Not on this event"),
        "scan_outside_event": _("This device's clock is wrong: set its date and time"),
        "nonce_reused": _("This scan was already sent for another code"),
        "error": _("Could not check in"),
        "since": _("at %(time)s"),
        "by_gate": _("at %(time)s by %(gate)s"),
        "offline_saved": _("Offline: saved, will upload when back online"),
        "offline_unknown": _("Not in the offline list: check the ticket by hand"),
        "online": _("Online"),
        "offline": _("Offline"),
        "pending": plural_forms("%(num)s scan waiting to upload",
                                "%(num)s scans waiting to upload"),
        "inside": _("Inside since %(time)s"),
        "left": _("Left at %(time)s"),
        "headcount": _("Checked in: %(in)s / %(expected)s"),
        "mode_entry": _("Entry: scanning people in"),
        "mode_exit": _("EXIT: scanning people out"),
        "no_matches": _("Nobody found"),
        "undo": _("Undo"),
        "print": _("Print badge"),
        "print_failed": _("The badge could not be printed: check the network and try again"),
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
        status=args.get("status", "all"), page=args.get("page", 1, type=database_id))
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
    figures, arrivals = dashboard.figures_and_arrivals(event)
    chart = arrivals_svg(arrivals, tz=event.timezone,
                         title=_("Arrivals per 5 minutes"), empty_text=_("No arrivals yet"))
    return {"figures": figures, "chart": chart, "now": now_utc()}


@pages.app_template_filter("door_time")
def door_time(at: datetime | None, tz: str, seconds: bool = False) -> str:
    """An instant as the clock at the venue shows it."""
    if at is None:
        return ""
    return at.astimezone(ZoneInfo(tz)).strftime("%H:%M:%S" if seconds else "%H:%M")


@pages.get("/door/badge/<int:attendee_id>")
@login_required
def door_badge(slug, attendee_id):
    """One guest's badge, for the door to print (its staff may, for their own event only)."""
    event = event_for(current_user, slug, roles=DOOR_ROLES)
    badge = badge_sheets.badge_for(event, attendee_id)
    if badge is None:
        raise DomainError("not_found", _l("No such attendee."), status=404)
    return framed_by_this_site(make_response(render_template("door/badge.html", event=event,
                                                             badge=badge)))


@pages.get("/poster")
@login_required
def poster(slug):
    """An A4 "scan to join" poster for the entrance: the walk-in join page's QR, the event's
    name and date, the words in every language at once (the event's owners only)."""
    event = event_for(current_user, slug)
    join_url = f"{current_app.config['CHECKIN_BASE_URL']}/e/{event.slug}/join"
    words = in_each_language(lambda: {
        "title": _("Not on the list? Join here"),
        "scan": _("Scan the code with your phone's camera"),
        "then": _("Type your name and email: your card is ready in a minute"),
        "when": event_when(event, current_language()),
    })
    svg = drawing_for(join_url).svg if event.walk_ins_allowed else None
    return render_template("door/poster.html", event=event, words=words, join_url=join_url,
                           svg=svg)


@pages.get("/badges")
@login_required
def badges(slug):
    event = event_for(current_user, slug)
    paper = request.args.get("paper", "a4")
    if paper not in badge_sheets.PAPERS:
        paper = "a4"
    ids = request.args.getlist("id", type=database_id) or None
    batch = request.args.get("batch", 1, type=database_id)
    sheets, batches, total = badge_sheets.badge_batch(event, ids, batch)
    return render_template("door/badges.html", event=event, sheets=sheets, paper=paper,
                           ids=ids or [], batch=min(max(batch, 1), batches), batches=batches,
                           total=total)
