"""A member's introductions: introducing two contacts, and answering the ones for me."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from checkin.errors import DomainError
from checkin.errors_web import form_error
from checkin.faces.services import preload_photos
from checkin.inputs import database_id
from checkin.introductions.forms import IntroduceForm
from checkin.introductions.services import (
    answer,
    introduce,
    made_by,
    outcome,
    said_yes_waiting,
    waiting_for,
)
from checkin.members.network import network_of
from checkin.members.views import member_page, require_member

bp = Blueprint("introductions", __name__, url_prefix="/community/<slug>")


@bp.after_request
def personal_pages_are_not_cached(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


def contact_choices(person) -> list[tuple[int, str]]:
    """My network by name, as the form's choices, after a "choose" placeholder."""
    contacts = network_of(person, sort="name")
    return [(0, _("Choose someone"))] + [
        (c.person.id, " · ".join(t for t in (c.person.display_name, c.person.headline) if t))
        for c in contacts]


@bp.route("/introduce", methods=["GET", "POST"])
def introduce_page(slug: str):
    """Pick two people of my network and say why they should meet; the first is asked."""
    community, person, me = require_member(slug)
    form = IntroduceForm()
    choices = contact_choices(person)
    form.first.choices = form.second.choices = choices
    if request.method == "GET":
        form.first.data = request.args.get("first", 0, type=database_id)
    status = 200
    if form.validate_on_submit():
        try:
            introduction = introduce(person, form.first.data, form.second.data,
                                     form.reason.data, event=me.event)
        except DomainError as error:
            form_error(form, error)
            status = error.status
        else:
            flash(_("We asked %(first)s first. If they say yes, we ask %(second)s; you will "
                    "see here when they are introduced.", first=introduction.first.display_name,
                    second=introduction.second.display_name), "success")
            return redirect(url_for("introductions.introductions_page", slug=slug), code=303)
    elif request.method == "POST":
        status = 400
    return member_page("introductions/introduce.html", community, person, me, form=form,
                       has_two=len(choices) > 2), status


@bp.get("/introductions")
def introductions_page(slug: str):
    """Introductions waiting for my answer, the ones I said yes to, and the ones I made."""
    community, person, me = require_member(slug)
    waiting = waiting_for(person)
    said_yes = said_yes_waiting(person)
    made = made_by(person)
    preload_photos([i.other(person.id) for i in waiting + said_yes])
    return member_page("introductions/introductions.html", community, person, me,
                       waiting=waiting, said_yes=said_yes, made=made, outcome=outcome)


@bp.post("/introductions/<int:introduction_id>/yes", defaults={"accept": True})
@bp.post("/introductions/<int:introduction_id>/not-now", defaults={"accept": False})
def answer_introduction(slug: str, introduction_id: int, accept: bool):
    """Yes, or not now, to an introduction waiting for me."""
    _community, person, _me = require_member(slug)
    introduction = answer(person, introduction_id, accept=accept)
    other = introduction.other(person.id).display_name
    if not accept:
        flash(_("Not now, then. Nobody is told who said it."), "success")
    elif introduction.introduced_at is not None:
        flash(_("You and %(name)s are introduced: you each have an email with the other's "
                "card, and you are in each other's network.", name=other), "success")
    else:
        flash(_("Thank you. We are asking %(name)s now; if they say yes too, you are "
                "introduced.", name=other), "success")
    return redirect(url_for("introductions.introductions_page", slug=slug), code=303)
