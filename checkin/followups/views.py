"""Console pages after the event (follow-ups, outbox, summary) and the public unsubscribe page."""

import contextlib
from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from checkin.accounts.services import event_for
from checkin.columns import now_utc
from checkin.confirm import ask_close
from checkin.errors import DomainError
from checkin.extensions import csrf, db
from checkin.followups.render import KIND, KIND_TEST, person_for_unsubscribe_token, render_followup
from checkin.followups.services import (
    close,
    count_recipients,
    outbox_counts,
    resend_message,
    send_followups,
    send_test_copy,
    unsubscribe,
)
from checkin.followups.summary import (
    arrivals_chart,
    event_summary,
    network_chart,
    number,
)
from checkin.inputs import database_id
from checkin.mail.mime import with_inline_images
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.mail.private import as_sent
from checkin.mail.sender import deliver_pending
from checkin.mail.services import PERSONAL_KINDS, lease_expired_before
from checkin.mail.transports import DeliveryStopped
from checkin.people.models import Attendee, Person
from checkin.text import fold

bp = Blueprint("followups", __name__, url_prefix="/console/events/<slug>")
public = Blueprint("unsubscribe", __name__)

PAGE_SIZE = 50
SEARCH_RESULTS = 20
SEND_SECONDS = 20  # a web request delivers this long at most; the CLI or a second press goes on
PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def _owned_event(slug: str):
    """Owners only: door staff and strangers get the same 404."""
    return event_for(current_user, slug)


def _attendee_of(event, attendee_id) -> Attendee:
    attendee = db.session.get(Attendee, attendee_id) if attendee_id else None
    if attendee is None or attendee.event_id != event.id:
        abort(404)
    return attendee


@bp.get("/followups")
@login_required
def followups_page(slug):
    """Close, preview any attendee's follow-up, send a test copy, send them all."""
    event = _owned_event(slug)
    query = request.args.get("q", "").strip()
    matches = []
    if query:
        matches = db.session.scalars(
            select(Attendee).join(Person, Person.id == Attendee.person_id)
            .where(Attendee.event_id == event.id,
                   Attendee.search_key.contains(fold(query)[:100], autoescape=True))
            .order_by(Person.name_key, Attendee.id).limit(SEARCH_RESULTS)).all()
    selected = preview = None
    if request.args.get("attendee"):
        selected = _attendee_of(event, request.args.get("attendee", type=database_id))
        preview = render_followup(selected, for_organizer=True)
        preview = replace(preview, text=as_sent(preview.text))  # as the attendee reads it
    return render_template(
        "followups/console.html", event=event, query=query, matches=matches,
        selected=selected, preview=preview, recipients=count_recipients(event),
        counts=outbox_counts(event.id, (KIND,)))


@bp.get("/followups/preview/<int:attendee_id>.html")
@login_required
def preview_html(slug, attendee_id):
    """The HTML part exactly as sent, for the preview frame (its own strict CSP)."""
    event = _owned_event(slug)
    email = render_followup(_attendee_of(event, attendee_id), for_organizer=True)
    response = make_response(with_inline_images(as_sent(email.html), email.attachments))
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/followups/close")
@login_required
def close_page(slug):
    event = _owned_event(slug)
    asked = ask_close(event, back=url_for("followups.followups_page", slug=slug))
    if asked:
        return asked
    close(event)
    flash(_("The event is closed: no more connections or notes."), "success")
    return redirect(url_for("followups.followups_page", slug=slug), code=303)


@bp.post("/followups/test")
@login_required
def test_copy(slug):
    event = _owned_event(slug)
    attendee = _attendee_of(event, request.form.get("attendee", type=database_id))
    send_test_copy(event, attendee, current_user)
    try:
        tally = deliver_pending(event_id=event.id, kinds=(KIND_TEST,), wait=False,
                                seconds=SEND_SECONDS)
    except DeliveryStopped as error:
        flash(_("The mail server refused: %(error)s", error=str(error)), "error")
    else:
        if tally.sent:
            flash(_("A test copy is on its way to %(email)s.", email=current_user.email),
                  "success")
        else:
            flash(_("The test copy is queued; see the outbox for its status."), "error")
    return redirect(url_for("followups.followups_page", slug=slug, attendee=attendee.id),
                    code=303)


@bp.post("/followups/send")
@login_required
def send_all(slug):
    """Queue every follow-up and the organizers' summaries, and deliver for a while."""
    run = send_followups(_owned_event(slug), render_seconds=SEND_SECONDS / 2,
                         deliver_seconds=SEND_SECONDS / 2)
    if run.stopped:
        flash(_("Sending stopped: %(error)s. Nothing was lost; try again later.",
                error=run.stopped), "error")
    else:
        message = _("Sent %(sent)d, failed %(failed)d, still waiting %(waiting)d.",
                    sent=run.sent, failed=run.failed, waiting=run.waiting)
        if run.waiting:
            message += " " + _("Press Send again, or run: checkin followups send %(slug)s",
                               slug=slug)
        flash(message, "success" if not run.failed else "error")
    return redirect(url_for("followups.outbox_page", slug=slug), code=303)


@bp.get("/outbox")
@login_required
def outbox_page(slug):
    """Every email of this event: its status, its error, resend."""
    event = _owned_event(slug)
    status = request.args.get("status", "")
    page = request.args.get("page", 1, type=database_id)
    # Not the emails one attendee sent another (a request to meet): who wrote to whom is theirs.
    organizers = (OutboxMessage.event_id == event.id,
                  OutboxMessage.kind.not_in(sorted(PERSONAL_KINDS)))
    query = select(OutboxMessage).where(*organizers)
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == status)
    messages = db.session.scalars(
        query.order_by(OutboxMessage.id.desc()).offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)).all()
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).where(*organizers)
        .group_by(OutboxMessage.status)).all())
    return render_template("followups/outbox.html", event=event, messages=messages[:PAGE_SIZE],
                           more=len(messages) > PAGE_SIZE, page=page, status=status,
                           counts=counts, statuses=[s.value for s in OutboxStatus],
                           lease_expired_before=lease_expired_before(), now=now_utc())


@bp.post("/outbox/<int:message_id>/resend")
@login_required
def resend_one(slug, message_id):
    event = _owned_event(slug)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.kind in PERSONAL_KINDS:
        abort(404)
    resend_message(event, message)
    flash(_("Queued again: %(to)s.", to=message.to_address), "success")
    return redirect(url_for("followups.outbox_page", slug=slug, status=request.form.get(
        "status", "")), code=303)


@bp.post("/outbox/resend-failed")
@login_required
def resend_failed(slug):
    event = _owned_event(slug)
    failed = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.event_id == event.id, OutboxMessage.status == OutboxStatus.FAILED,
        OutboxMessage.kind.not_in(sorted(PERSONAL_KINDS)),
        OutboxMessage.last_error != "unsubscribed")).all()
    for message in failed:
        with contextlib.suppress(DomainError):  # an unsubscribed person stays failed
            resend_message(event, message)
    flash(ngettext("%(num)d failed message queued again.", "%(num)d failed messages queued again.",
                   len(failed)), "success")
    return redirect(url_for("followups.outbox_page", slug=slug), code=303)


@bp.get("/summary")
@login_required
def summary_page(slug):
    event = _owned_event(slug)
    summary = event_summary(event)
    return render_template("followups/summary.html", event=event, s=summary, number=number,
                           arrivals_svg=arrivals_chart(event, summary),
                           network_svg=network_chart(summary))


@public.route("/u/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe_page(token):
    """GET asks (mail scanners open links); POST unsubscribes, with no cookie or CSRF token,
    as RFC 8058's one-click POST from a mail client needs."""
    person = person_for_unsubscribe_token(token)
    if person is None:
        abort(404)
    if request.method == "POST":
        unsubscribe(person)
        return render_template("followups/unsubscribe.html", done=True, token=token)
    return render_template("followups/unsubscribe.html", done=False, token=token,
                           unsubscribed=person.followups_unsubscribed_at is not None)
