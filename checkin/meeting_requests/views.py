"""Attendee pages of requests to meet: asking from a card, a suggestion or the directory; the
Requests page (answer, see mine, find each other); the follow-up's one-click link."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from checkin.connections.views import card_for, viewer_of
from checkin.errors import DomainError
from checkin.events.models import EventState
from checkin.extensions import csrf
from checkin.faces.services import preload_photos
from checkin.meeting_requests.links import ask_token, pair_for_token
from checkin.meeting_requests.models import MESSAGE_LENGTH
from checkin.meeting_requests.services import (
    LIFETIME,
    accept_request,
    as_seen_by_asker,
    ask_to_meet,
    count_requests_to_me,
    decline_request,
    met_by_request,
    requests_i_made,
    requests_to_me,
    why_not_ask,
)
from checkin.people.cards import public_card
from checkin.people.models import Attendee
from checkin.people.views import require_me

bp = Blueprint("meeting_requests", __name__)
public = Blueprint("meeting_links", __name__)


@bp.after_request
@public.after_request
def personal_pages_are_not_cached(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def ask_link(me: Attendee, target_id: int) -> str:
    """Where "Ask to meet" leads from a list (a suggestion, the directory): the signed link
    of this asker and person, never the person's card code — the code in the QR is what
    lets someone Connect, and a list must not hand it to whoever reads the list."""
    return url_for("meeting_links.one_click", token=ask_token(me.id, target_id))


@bp.app_template_global()
def requests_waiting(me: Attendee | None) -> int:
    """The count beside Requests in the attendee's navigation."""
    return count_requests_to_me(me) if me is not None else 0


def asked_page(asker: Attendee, target: Attendee, asked):
    """What the one-click link answers once used (no session: no navigation either)."""
    return render_template("meeting_requests/asked.html", event=asker.event, me=None,
                           target=target, public=public_card(target.person), asked=asked)


def ask_form(asker: Attendee, target: Attendee, action: str, token: str = "",
             signed_in: bool = True):
    refusal = why_not_ask(asker, target)
    return render_template("meeting_requests/ask.html", event=asker.event,
                           me=asker if signed_in else None, target=target,
                           public=public_card(target.person), refusal=refusal, action=action,
                           limit=MESSAGE_LENGTH, days=LIFETIME.days, token=token
                           ), 200 if refusal is None else refusal.status


@bp.route("/c/<code>/ask", methods=["GET", "POST"])
def ask(code: str):
    """Ask the card's owner to meet, with one optional line (linked from suggestions, the
    directory and the card page)."""
    target = card_for(code)
    asker = viewer_of(target)
    if request.method == "GET":
        return ask_form(asker, target, url_for("meeting_requests.ask", code=code))
    asked = ask_to_meet(asker, target, request.form.get("message", "")[:1000])
    if asked.connection is not None:
        flash(_("%(name)s had asked to meet you too: you are connected.",
                name=target.person.display_name), "success")
        return redirect(url_for("connections.card", code=target.card_code), code=303)
    flash(_("Request sent to %(name)s.", name=target.person.display_name), "success")
    return redirect(url_for("meeting_requests.requests_page", slug=asker.event.slug), code=303)


@bp.get("/e/<slug>/requests")
def requests_page(slug: str):
    """Requests waiting for my answer, the ones I made (pending, connected or expired, never
    "declined"), and, while the event is open, whom to look for in the room."""
    event, me = require_me(slug)
    to_me = requests_to_me(me)
    mine = requests_i_made(me)
    find = met_by_request(me) if event.state == EventState.OPEN else []
    preload_photos([r.asker.person for r in to_me] + [r.target.person for r in mine]
                   + [a.person for a in find] + [me.person])
    return render_template("meeting_requests/requests.html", event=event, me=me, to_me=to_me,
                           mine=[(r, as_seen_by_asker(r)) for r in mine], find=find)


@bp.post("/e/<slug>/requests/<int:request_id>/accept")
def accept(slug: str, request_id: int):
    _event, me = require_me(slug)
    connection = accept_request(me, request_id)
    other = connection.low if connection.high_id == me.id else connection.high
    flash(_("You and %(name)s are connected.", name=other.person.display_name), "success")
    return redirect(url_for("meeting_requests.requests_page", slug=slug), code=303)


@bp.post("/e/<slug>/requests/<int:request_id>/decline")
def decline(slug: str, request_id: int):
    _event, me = require_me(slug)
    decline_request(me, request_id)
    flash(_("Done. They are not told."), "success")
    return redirect(url_for("meeting_requests.requests_page", slug=slug), code=303)


@public.route("/r/<token>", methods=["GET", "POST"])
@csrf.exempt
def one_click(token: str):
    """The follow-up's "I'd like to meet" link. GET only asks (mail scanners open links);
    POST asks to meet, with no session or CSRF token: the signed pair is the proof. Sent
    again, it finds the request already made and makes nothing new."""
    pair = pair_for_token(token)
    if pair is None:
        abort(404)
    asker, target = pair
    action = url_for("meeting_links.one_click", token=token)
    if request.method == "GET":
        return ask_form(asker, target, action, token=token, signed_in=False)
    try:
        asked = ask_to_meet(asker, target, request.form.get("message", "")[:1000])
    except DomainError as error:
        if error.code in ("already_asked", "already_connected"):
            return asked_page(asker, target, None)
        raise
    return asked_page(asker, target, asked)
