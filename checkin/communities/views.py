"""Console pages of a community: its settings, its owners and its events."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from checkin.accounts.services import require_event_runner
from checkin.communities.forms import CommunityForm, OwnerForm
from checkin.communities.services import (
    add_owner,
    communities_of,
    community_for,
    create_community,
    owners_of,
    remove_owner,
    update_community,
)
from checkin.console.forms import ConfirmForm
from checkin.errors import DomainError
from checkin.errors_web import form_error
from checkin.events.models import Event
from checkin.extensions import db

bp = Blueprint("communities", __name__, url_prefix="/console/communities")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """The communities I own, and a new one."""
    form = CommunityForm()
    status = 200
    if form.is_submitted():
        require_event_runner(current_user)  # door staff: a 403 page, not a form error
    if form.validate_on_submit():
        try:
            community = create_community(current_user, form.name.data, form.slug.data or None,
                                         form.default_language.data)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Community created."), "success")
            return redirect(url_for("communities.settings", slug=community.slug), code=303)
    if form.is_submitted():
        status = 400
    return render_template("communities/index.html", communities=communities_of(current_user),
                           form=form), status


@bp.route("/<slug>", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    """A community's name, web address and language, its owners and its events."""
    community = community_for(current_user, slug)
    form = CommunityForm(obj=community)
    status = 200
    if form.validate_on_submit():
        try:
            update_community(community, name=form.name.data,
                             slug=form.slug.data or community.slug,
                             default_language=form.default_language.data)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("communities.settings", slug=community.slug), code=303)
    if form.is_submitted():
        status = 400
    return community_page(community, form, OwnerForm(formdata=None)), status


def community_page(community, form, owner_form):
    events = db.session.scalars(select(Event).filter_by(community_id=community.id)
                                .order_by(Event.starts_at.desc()).limit(200)).all()
    return render_template("communities/settings.html", community=community, form=form,
                           owner_form=owner_form, owners=owners_of(community), events=events,
                           confirm=ConfirmForm())


@bp.post("/<slug>/owners")
@login_required
def add_owner_(slug: str):
    community = community_for(current_user, slug)
    require_event_runner(current_user)
    owner_form = OwnerForm()
    if owner_form.validate_on_submit():
        try:
            add_owner(community, owner_form.email.data)
        except DomainError as error:
            form_error(owner_form, error)
        else:
            flash(_("%(email)s is an owner of this community now.",
                    email=owner_form.email.data.strip().lower()), "success")
            return redirect(url_for("communities.settings", slug=community.slug), code=303)
    return community_page(community, CommunityForm(obj=community, formdata=None),
                          owner_form), 400


@bp.post("/<slug>/owners/<int:organizer_id>/remove")
@login_required
def remove_owner_(slug: str, organizer_id: int):
    community = community_for(current_user, slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        remove_owner(community, organizer_id)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    else:
        flash(_("Removed."), "success")
    return redirect(url_for("communities.settings", slug=community.slug), code=303)
