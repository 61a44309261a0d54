"""Console: import a guest list — upload, preview what would change, confirm."""

import base64

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from checkin.console.forms import ImportConfirmForm, ImportForm
from checkin.console.views import bp, owned_event
from checkin.errors import DomainError
from checkin.guestlists.services import apply_import, plan_import

UPLOAD_MAX_AGE = 3600  # seconds between the preview and the confirmation


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="guestlist-upload")


def sign_upload(event_id: int, data: bytes) -> str:
    """The uploaded file, carried to the confirmation in the page itself (compressed, signed,
    bound to this event and organizer), so any app server can confirm it."""
    return _signer().dumps({"e": event_id, "o": current_user.id,
                            "d": base64.b64encode(data).decode()})


def signed_upload(event_id: int, token: str) -> bytes:
    try:
        payload = _signer().loads(token, max_age=UPLOAD_MAX_AGE)
    except BadSignature as error:
        raise DomainError("upload_expired", _("This preview has expired. Upload the file "
                                              "again.")) from error
    if payload.get("e") != event_id or payload.get("o") != current_user.id:
        raise DomainError("upload_expired", _("This preview has expired. Upload the file again."))
    return base64.b64decode(payload["d"])


@bp.route("/events/<slug>/import", methods=["GET", "POST"])
@login_required
def import_guests(slug):
    event = owned_event(slug)
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            plan = plan_import(event, data)
        except DomainError as error:
            form.file.errors = [error.message]
        else:
            confirm = ImportConfirmForm(upload=sign_upload(event.id, data))
            return render_template("console/import_preview.html", event=event, plan=plan,
                                   form=confirm, filename=form.file.data.filename)
    status = 400 if form.is_submitted() else 200
    return render_template("console/import.html", event=event, form=form), status


@bp.post("/events/<slug>/import/confirm")
@login_required
def confirm_import(slug):
    event = owned_event(slug)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("This preview has expired. Upload the file again."), "error")
        return redirect(url_for("console.import_guests", slug=slug), code=303)
    try:
        plan = apply_import(event, signed_upload(event.id, form.upload.data))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("console.import_guests", slug=slug), code=303)
    counts = [ngettext("%(num)d added", "%(num)d added", len(plan.creates)),
              ngettext("%(num)d updated", "%(num)d updated", len(plan.updates)),
              ngettext("%(num)d unchanged", "%(num)d unchanged", len(plan.unchanged)),
              ngettext("%(num)d skipped", "%(num)d skipped", len(plan.skips))]
    flash(_("Imported: %(counts)s.", counts=", ".join(counts)), "success")
    return redirect(url_for("console.attendees", slug=slug), code=303)
