"""Console: send guests their sign-in email through the outbox; see who was sent what, when."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from checkin.confirm import ask_first
from checkin.console.forms import ConfirmForm
from checkin.console.views import bp, owned_event
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.people.guests import attendee_of
from checkin.people.invitations import invite_attendees
from checkin.people.queries import invitation_counts, invitation_messages

PER_PAGE = 50
WEB_TIME_BUDGET = 20.0  # seconds of sending per click; the page offers to continue


@bp.get("/events/<slug>/invitations")
@login_required
def invitations(slug):
    event = owned_event(slug)
    text = request.args.get("page", "1")
    page = int(text) if text.isdigit() and 0 < int(text) < 10**6 else 1
    rows = db.session.execute(invitation_messages(event).limit(PER_PAGE)
                              .offset((page - 1) * PER_PAGE)).all()
    counts = invitation_counts(event)
    return render_template("console/invitations.html", event=event, rows=rows, page=page,
                           more=len(rows) == PER_PAGE, counts=counts, form=ConfirmForm())


@bp.post("/events/<slug>/invitations")
@login_required
def send_invitations(slug):
    event = owned_event(slug)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("console.invitations", slug=slug), code=303)
    one = request.form.get("attendee_id", "")
    resend = request.form.get("resend") == "1"
    attendee = attendee_of(event, int(one) if one.isdigit() else 0) if one else None
    if resend and attendee is None:
        asked = ask_first(
            _("Send the invitation again to everyone?"),
            _("Every guest gets a new sign-in link; the links in their earlier emails stop "
              "working and phones those links signed in are signed out."),
            _("Send again to everyone"), url_for("console.invitations", slug=slug))
        if asked:
            return asked
    try:
        if attendee is not None:
            tally = invite_attendees(event, attendee_ids=[attendee.id])
        else:
            tally = invite_attendees(event, resend=resend, time_budget=WEB_TIME_BUDGET)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("console.invitations", slug=slug), code=303)
    if one and not tally.queued:
        flash(_("This guest has no email address."), "error")
    else:
        flash(ngettext("%(num)d invitation is in the outbox.",
                       "%(num)d invitations are in the outbox.", tally.queued), "success")
    if tally.no_email and not one:
        flash(ngettext("%(num)d guest has no email address and was not invited.",
                       "%(num)d guests have no email address and were not invited.",
                       tally.no_email), "error")
    if tally.remaining:
        flash(ngettext("%(num)d more still to send: press the button again.",
                       "%(num)d more still to send: press the button again.", tally.remaining),
              "error")
    if one:
        return redirect(url_for("console.edit_attendee", slug=slug, attendee_id=int(one)),
                        code=303)
    return redirect(url_for("console.invitations", slug=slug), code=303)
