"""Console: the event's team — owners and door staff, invited with a one-time link."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from checkin.accounts.models import EventRole, Organizer, Role, StaffInvitation
from checkin.accounts.services import (
    accept_staff_invitation,
    create_organizer,
    invite_staff,
    remove_role,
    staff_invitation_for,
    staff_invitation_language,
    withdraw_staff_invitation,
)
from checkin.columns import now_utc
from checkin.confirm import ask_first
from checkin.console.forms import ConfirmForm, JoinForm, StaffInviteForm
from checkin.console.views import bp, owned_event
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.mail.private import private
from checkin.mail.services import enqueue


def _invitation_link(secret: str) -> str:
    return f"{current_app.config['CHECKIN_BASE_URL']}/console/join/{secret}"


def _email_invitation(event: Event, invitation: StaffInvitation, link: str,
                      language: str) -> None:
    """The invitation email, in ``language`` (see ``staff_invitation_language``)."""
    with force_locale(language):
        role = {"owner": _("an owner"), "door": _("door staff")}
        subject = _("You are invited to help run %(event)s", event=event.name)
        body = _("%(who)s invites you to %(event)s as %(role)s on checkin.\n\nOpen this link to "
                 "accept (it works once, for 7 days):\n%(link)s\n",
                 who=current_user.email, event=event.name, role=role[invitation.role],
                 link=private(link))
    enqueue(kind="staff_invitation", event_id=event.id,
            recipient=f"staff_invitation:{invitation.id}", to_address=invitation.email,
            subject=subject, text_body=body)


@bp.route("/events/<slug>/staff", methods=["GET", "POST"])
@login_required
def staff(slug):
    event = owned_event(slug)
    form = StaffInviteForm()
    link = None
    if form.validate_on_submit():
        try:
            invitation, secret = invite_staff(event, form.email.data, Role(form.role.data),
                                              current_user)
        except DomainError as error:
            form.email.errors = [error.message]
        else:
            link = _invitation_link(secret)
            _email_invitation(event, invitation, link,
                              staff_invitation_language(invitation.email, form.language.data))
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            form.email.data = ""
    team = db.session.execute(
        select(Organizer, EventRole.role).join(EventRole, EventRole.organizer_id == Organizer.id)
        .where(EventRole.event_id == event.id).order_by(EventRole.role.desc(), Organizer.email)
    ).all()
    pending = db.session.scalars(
        select(StaffInvitation).where(StaffInvitation.event_id == event.id,
                                      StaffInvitation.used_at.is_(None),
                                      StaffInvitation.expires_at > now_utc())
        .order_by(StaffInvitation.id.desc())).all()
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("console/staff.html", event=event, form=form, team=team,
                           pending=pending, link=link, confirm=ConfirmForm()), status


@bp.post("/events/<slug>/staff/<int:organizer_id>/remove")
@login_required
def remove_staff(slug, organizer_id):
    event = owned_event(slug)
    member = db.session.get(Organizer, organizer_id)
    if member is None:
        abort(404)
    asked = ask_first(
        _("Remove %(who)s from the team of %(event)s?", who=member.name or member.email,
          event=event.name),
        _("They lose access to this event at once (its door page included). You can invite "
          "them again later."), _("Remove from the team"), url_for("console.staff", slug=slug))
    if asked:
        return asked
    try:
        remove_role(event, organizer_id)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(_("An event needs at least one owner."), "error")
    else:
        flash(_("Removed from the team."), "success")
    return redirect(url_for("console.staff", slug=slug), code=303)


@bp.post("/events/<slug>/staff/invitations/<int:invitation_id>/withdraw")
@login_required
def withdraw_invitation(slug, invitation_id):
    event = owned_event(slug)
    asked = ask_first(_("Withdraw this invitation?"),
                      _("Its link stops working; the person it was sent to cannot join with it."),
                      _("Withdraw"), url_for("console.staff", slug=slug))
    if asked:
        return asked
    withdraw_staff_invitation(event, invitation_id)
    flash(_("Invitation withdrawn: its link no longer works."), "success")
    return redirect(url_for("console.staff", slug=slug), code=303)


@bp.route("/join/<secret>", methods=["GET", "POST"])
def join(secret):
    """Open a staff invitation: accept it signed in, or make an account and accept."""
    try:
        invitation = staff_invitation_for(secret)
    except DomainError as error:
        if error.code != "invitation_invalid":
            raise
        # Say what happened and what to do next, rather than a bare "not found".
        return render_template("console/join_invalid.html"), 404
    event = db.session.get(Event, invitation.event_id)
    form = JoinForm()
    status = 200
    other_address = current_user.is_authenticated and current_user.email != invitation.email
    if request.method == "POST":
        if current_user.is_authenticated:
            if ConfirmForm().validate_on_submit():
                try:
                    accept_staff_invitation(secret, current_user,
                                            other_address=request.form.get("other_address")
                                            == "1")
                except DomainError as error:
                    if error.code != "invitation_for_another_address":
                        raise
                    flash(_("This invitation was sent to %(email)s. To accept it as "
                            "%(me)s, tick the box; or sign out and sign in as %(email)s.",
                            email=invitation.email, me=current_user.email), "error")
                    status = 409
                else:
                    return _after_join(event, invitation.role)
        elif form.validate_on_submit():
            try:
                organizer = create_organizer(invitation.email, form.password.data,
                                             name=form.name.data or "")
            except DomainError as error:
                form.password.errors = [error.message]
                status = 400
            else:
                accept_staff_invitation(secret, organizer)
                login_user(organizer, remember=True)
                return _after_join(event, invitation.role)
        else:
            status = 400
    has_account = db.session.scalar(select(Organizer.id).filter_by(email=invitation.email))
    return render_template("console/join.html", event=event, invitation=invitation, form=form,
                           confirm=ConfirmForm(), has_account=has_account,
                           other_address=other_address), status


def _after_join(event: Event, role: str):
    flash(_("Welcome to the team of %(event)s.", event=event.name), "success")
    if role == Role.OWNER:
        return redirect(url_for("console.overview", slug=event.slug), code=303)
    return redirect(f"/console/events/{event.slug}/door", code=303)
