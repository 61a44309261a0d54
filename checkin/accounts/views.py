"""Organizer sign-in and sign-out."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from checkin.accounts.forms import LoginForm, TokenForm
from checkin.accounts.models import ApiToken
from checkin.accounts.services import (
    api_tokens_of,
    issue_api_token,
    read_organizer_with_event,
    require_event_runner,
    revoke_api_token,
    sign_in_attempt,
    sign_out_everywhere,
)
from checkin.confirm import ask_first
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.inputs import next_target

bp = Blueprint("accounts", __name__, url_prefix="/console")

# The console's pages of one event: each looks up the signed-in organizer, then the event and
# their role in it.
EVENT_PAGES = "/console/events/<slug>"


def read_console_access():
    """A console page of an event: its organizer, event and role in one statement, not two
    (see ``read_organizer_with_event``). Flask-Login keeps the session's "id:key" here."""
    rule = request.url_rule
    if rule is not None and rule.rule.startswith(EVENT_PAGES) and "_user_id" in session:
        read_organizer_with_event(session["_user_id"], request.view_args["slug"])


@bp.route("/login", methods=["GET", "POST"])
def login():
    # Where to go once signed in; a malformed one is refused before a password is typed.
    after = next_target(request.args.get("next"), url_for("console.home"))
    if current_user.is_authenticated:
        return redirect(after)
    form = LoginForm()
    status = 200
    headers = {}
    if form.validate_on_submit():
        try:
            organizer = sign_in_attempt(form.email.data, form.password.data, request.remote_addr)
        except DomainError as error:
            flash(error.message, "error")
            status = error.status
            if "retry_after" in error.details:
                headers["Retry-After"] = str(error.details["retry_after"])
        else:
            login_user(organizer, remember=True)
            return redirect(after, code=303)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout():
    """Sign this browser out; with ``everywhere``, every browser of this account too."""
    if request.form.get("everywhere"):
        sign_out_everywhere(current_user)
    logout_user()
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The organizer's API tokens: listed by prefix, made (shown once), revoked."""
    require_event_runner(current_user)
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = issue_api_token(current_user, label=(form.label.data or "").strip())
        form.label.data = ""
    elif request.method == "POST":
        return render_template("accounts/tokens.html", form=form, rows=[], secret=None), 400
    return render_template("accounts/tokens.html", form=form, rows=api_tokens_of(current_user),
                           secret=secret)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organizer_id != current_user.id:
        abort(404)
    asked = ask_first(_("Revoke the token %(prefix)s…?", prefix=token.prefix),
                      _("Programs using it can no longer reach the API. This cannot be undone."),
                      _("Revoke"), url_for("accounts.tokens"))
    if asked:
        return asked
    revoke_api_token(current_user, token_id)
    flash(_("Token revoked: programs using it can no longer reach the API."), "success")
    return redirect(url_for("accounts.tokens"), code=303)
