"""Console: the guest list — search, filters, sort, pages; add, edit, remove; sign-in links."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select

from checkin.confirm import ask_first
from checkin.console.forms import AttendeeForm, ConfirmForm
from checkin.console.views import bp, owned_event
from checkin.errors import DomainError
from checkin.errors_web import form_error
from checkin.extensions import db
from checkin.people.guests import add_attendee, attendee_of, remove_attendee, update_attendee
from checkin.people.invitations import send_new_link
from checkin.people.models import AttendeeSource
from checkin.people.queries import SORTS, attendee_query, ticket_types
from checkin.people.services import revoke_signin_link

PER_PAGE = 50
FILTERS = ("q", "checked_in", "invited", "source", "ticket_type", "sort")


def _question(action: str, attendee) -> tuple[str, str, str]:
    """What to ask before ``action`` on ``attendee``: the question, what follows, the button."""
    name = attendee.person.display_name
    if action == "remove":
        return (_("Remove %(name)s from the guest list?", name=name),
                _("Their check-ins, connections and notes at this event are deleted with them. "
                  "This cannot be undone."), _("Remove from the guest list"))
    if action == "revoke-link":
        return (_("Revoke %(name)s's sign-in link?", name=name),
                _("The link in their email stops working and any phone it signed in is signed "
                  "out. You can email them a new link afterwards."), _("Revoke the link"))
    return (_("Email %(name)s a new sign-in link?", name=name),
            _("The link they have now stops working and any phone it signed in is signed out; "
              "the new one goes to %(email)s.", email=attendee.person.email),
            _("Email a new link"))


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 10**6 else 1


@bp.get("/events/<slug>/attendees")
@login_required
def attendees(slug):
    event = owned_event(slug)
    args = {name: request.args.get(name, "").strip() for name in FILTERS}
    sort = args["sort"] if args["sort"] in SORTS else "name"
    query = attendee_query(
        event, search=args["q"][:100],
        checked_in=args["checked_in"] or None, invited=args["invited"] or None,
        source=args["source"] if args["source"] in tuple(AttendeeSource)
        else None, ticket_type=args["ticket_type"] or None, sort=sort)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(_page_number(), max(1, -(-total // PER_PAGE)))
    rows = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    kept = {k: v for k, v in args.items() if v}
    return render_template("console/attendees.html", event=event, rows=rows, total=total,
                           page=page, pages=max(1, -(-total // PER_PAGE)), args=args,
                           sort=sort, kept=kept, ticket_types=ticket_types(event),
                           form=ConfirmForm())


def _form_values(form: AttendeeForm) -> dict:
    return {name: (getattr(form, name).data or "").strip() for name in (
        "first_name", "last_name", "display_name", "email", "company", "headline", "phone",
        "ticket_code", "ticket_type", "language", "attention_note")}


@bp.route("/events/<slug>/attendees/new", methods=["GET", "POST"])
@login_required
def new_attendee(slug):
    event = owned_event(slug)
    form = AttendeeForm()
    if form.validate_on_submit():
        try:
            attendee = add_attendee(event, source=AttendeeSource.MANUAL, **_form_values(form))
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("%(name)s added.", name=attendee.person.display_name), "success")
            return redirect(url_for("console.attendees", slug=slug), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("console/attendee_form.html", event=event, form=form,
                           attendee=None), status


@bp.route("/events/<slug>/attendees/<int:attendee_id>", methods=["GET", "POST"])
@login_required
def edit_attendee(slug, attendee_id):
    event = owned_event(slug)
    attendee = attendee_of(event, attendee_id)
    person = attendee.person
    form = AttendeeForm(obj=person)
    if not form.is_submitted():
        form.ticket_code.data = attendee.ticket_code or ""
        form.ticket_type.data = attendee.ticket_type
        form.attention_note.data = attendee.attention_note
        form.language.data = person.language or ""
    if form.validate_on_submit():
        try:
            update_attendee(attendee, **_form_values(form))
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("console.edit_attendee", slug=slug,
                                    attendee_id=attendee.id), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("console/attendee_form.html", event=event, form=form,
                           attendee=attendee, confirm=ConfirmForm()), status


@bp.post("/events/<slug>/attendees/<int:attendee_id>/<action>")
@login_required
def attendee_action(slug, attendee_id, action):
    """Revoke or reissue a sign-in link, or remove the guest."""
    event = owned_event(slug)
    attendee = attendee_of(event, attendee_id)
    if action not in ("revoke-link", "new-link", "remove") or not ConfirmForm().validate():
        abort(404 if action not in ("revoke-link", "new-link", "remove") else 400)
    name = attendee.person.display_name
    asked = ask_first(*_question(action, attendee), url_for(
        "console.edit_attendee", slug=slug, attendee_id=attendee_id))
    if asked:
        return asked
    if action == "remove":
        remove_attendee(attendee)
        flash(_("%(name)s was removed from the guest list.", name=name), "success")
        return redirect(url_for("console.attendees", slug=slug), code=303)
    if action == "revoke-link":
        revoke_signin_link(attendee)
        flash(_("%(name)s's sign-in link no longer works.", name=name), "success")
        return redirect(url_for("console.edit_attendee", slug=slug, attendee_id=attendee_id),
                        code=303)
    send_new_link(attendee)
    flash(_("A new sign-in link was emailed to %(email)s. The old link, and any phone it "
            "signed in, no longer work.", email=attendee.person.email), "success")
    return redirect(url_for("console.edit_attendee", slug=slug, attendee_id=attendee_id),
                    code=303)
