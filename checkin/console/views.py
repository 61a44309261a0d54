"""Console pages: the organizer's events, and setting one up."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checkin.accounts.models import Role
from checkin.accounts.services import (
    event_for,
    events_with_role,
    is_door_staff_only,
    remember_language,
    require_event_runner,
)
from checkin.columns import now_utc
from checkin.communities.services import communities_of
from checkin.confirm import ask_close
from checkin.console.forms import COMMON_TIMEZONES, ConfirmForm, EventForm
from checkin.door.dashboard import figures
from checkin.errors import DomainError
from checkin.errors_web import form_error
from checkin.events.models import Event
from checkin.events.services import (
    close_event,
    create_event,
    open_event,
    reopen_event,
    update_event,
)
from checkin.i18n import current_language

bp = Blueprint("console", __name__, url_prefix="/console")


def owned_event(slug: str) -> Event:
    """The event ``slug`` if the signed-in organizer owns it; any other case is a 404."""
    return event_for(current_user, slug, roles=(Role.OWNER,))


def local(event: Event, instant: datetime) -> datetime:
    """An instant as the clock on the venue's wall shows it."""
    return instant.astimezone(ZoneInfo(event.timezone))


def aware(naive: datetime, timezone: str) -> datetime:
    return naive.replace(tzinfo=ZoneInfo(timezone))


@bp.before_request
def _remember_language():
    if current_user.is_authenticated:
        remember_language(current_user, current_language())


@bp.app_context_processor
def console_helpers():
    return {"local_time": local, "timezones": COMMON_TIMEZONES}


@bp.get("/")
@login_required
def home():
    """The events this organizer holds a role in, newest first."""
    return render_template("console/home.html", rows=events_with_role(current_user),
                           runs_events=not is_door_staff_only(current_user))


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new_event():
    require_event_runner(current_user)
    form = EventForm()
    form.community.choices = [(c.slug, c.name) for c in communities_of(current_user)]
    if not form.is_submitted():
        tomorrow = (now_utc() + timedelta(days=1)).astimezone(ZoneInfo(form.timezone.data))
        form.starts_at.data = tomorrow.replace(hour=19, minute=0, second=0, microsecond=0,
                                               tzinfo=None)
        form.ends_at.data = form.starts_at.data + timedelta(hours=3)
    status = 200
    if form.validate_on_submit():
        try:
            event = create_event(
                current_user, form.name.data, aware(form.starts_at.data, form.timezone.data),
                aware(form.ends_at.data, form.timezone.data), form.timezone.data,
                slug=form.slug.data or None, venue=form.venue.data or "",
                default_language=form.default_language.data,
                walk_ins_allowed=form.walk_ins_allowed.data,
                community=form.community.data or None,
                reminder_hours_before=form.reminder_hours())
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Event created. Import your guest list next."), "success")
            return redirect(url_for("console.overview", slug=event.slug), code=303)
    if form.is_submitted():
        status = 400
    return render_template("console/event_form.html", form=form, event=None), status


@bp.get("/events/<slug>")
@login_required
def overview(slug):
    event = owned_event(slug)
    return render_template("console/overview.html", event=event, figures=figures(event),
                           form=ConfirmForm())


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_event(slug):
    event = owned_event(slug)
    form = EventForm(obj=event)
    if not form.is_submitted():
        form.reminder_hours_before.data = str(event.reminder_hours_before or "")
        form.starts_at.data = local(event, event.starts_at).replace(tzinfo=None)
        form.ends_at.data = local(event, event.ends_at).replace(tzinfo=None)
    status = 200
    if form.validate_on_submit():
        try:
            update_event(
                event, name=form.name.data, slug=form.slug.data or event.slug,
                starts_at=aware(form.starts_at.data, form.timezone.data),
                ends_at=aware(form.ends_at.data, form.timezone.data),
                timezone=form.timezone.data, venue=form.venue.data or "",
                default_language=form.default_language.data,
                walk_ins_allowed=form.walk_ins_allowed.data,
                reminder_hours_before=form.reminder_hours())
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("console.overview", slug=event.slug), code=303)
    if form.is_submitted():
        status = 400
    return render_template("console/event_form.html", form=form, event=event), status


@bp.post("/events/<slug>/open")
@login_required
def open_(slug):
    event = owned_event(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        open_event(event)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The event is open: guests can sign in and the door can scan."), "success")
    return redirect(url_for("console.overview", slug=event.slug), code=303)


@bp.post("/events/<slug>/close")
@login_required
def close(slug):
    event = owned_event(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    asked = ask_close(event, back=url_for("console.overview", slug=event.slug))
    if asked:
        return asked
    close_event(event)
    flash(_("The event is closed: no more connections or notes can be made."), "success")
    return redirect(url_for("console.overview", slug=event.slug), code=303)


@bp.post("/events/<slug>/reopen")
@login_required
def reopen(slug):
    """Open a closed event again; follow-ups already sent are not sent again."""
    event = owned_event(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        reopen_event(event)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The event is open again: guests can connect and write notes."), "success")
    return redirect(url_for("console.overview", slug=event.slug), code=303)
