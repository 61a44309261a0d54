"""Console: import a guest list — upload, preview what would change, confirm, watch it run."""

import contextlib

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from checkin.console.forms import ImportConfirmForm, ImportForm
from checkin.console.views import bp, owned_event
from checkin.errors import DomainError
from checkin.guestlists.services import (
    confirm_upload,
    keep_upload,
    plan_import,
    run_import,
    upload_for,
)


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
            # The file stays on the server; the page carries only its id.
            upload = keep_upload(event, data, organizer=current_user,
                                 filename=form.file.data.filename)
            confirm = ImportConfirmForm(upload=upload.id)
            return render_template("console/import_preview.html", event=event, plan=plan,
                                   form=confirm, filename=form.file.data.filename)
    status = 400 if form.is_submitted() else 200
    return render_template("console/import.html", event=event, form=form), status


def _result_message(result: dict) -> str:
    counts = [ngettext("%(num)d added", "%(num)d added", result["create"]),
              ngettext("%(num)d updated", "%(num)d updated", result["update"]),
              ngettext("%(num)d unchanged", "%(num)d unchanged", result["unchanged"]),
              ngettext("%(num)d skipped", "%(num)d skipped", result["skip"])]
    return _("Imported: %(counts)s.", counts=", ".join(counts))


@bp.post("/events/<slug>/import/confirm")
@login_required
def confirm_import(slug):
    event = owned_event(slug)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("This preview has expired. Upload the file again."), "error")
        return redirect(url_for("console.import_guests", slug=slug), code=303)
    try:
        upload = upload_for(event, form.upload.data, organizer=current_user)
        # A second click (or a second tab) starts nothing: it watches the import under way.
        confirm_upload(upload)
        run_import(upload)  # a small file now; a large one in the background
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("console.import_guests", slug=slug), code=303)
    if upload.state == "done":
        flash(_result_message(upload.result), "success")
        return redirect(url_for("console.attendees", slug=slug), code=303)
    return redirect(url_for("console.import_progress", slug=slug, upload_id=upload.id),
                    code=303)


@bp.get("/events/<slug>/import/<upload_id>")
@login_required
def import_progress(slug, upload_id):
    """A large import running in the background: how far it is (the page keeps asking)."""
    event = owned_event(slug)
    upload = upload_for(event, upload_id, organizer=current_user)
    return render_template("console/import_progress.html", event=event, upload=upload,
                           form=ImportConfirmForm(upload=upload.id),
                           result=_result_message(upload.result) if upload.result else "")


@bp.post("/events/<slug>/import/<upload_id>/continue")
@login_required
def continue_guest_import(slug, upload_id):
    event = owned_event(slug)
    upload = upload_for(event, upload_id, organizer=current_user)
    form = ImportConfirmForm()
    if form.validate_on_submit():
        # Resumes an import whose worker stopped (its lease lapsed); else only reports.
        with contextlib.suppress(DomainError):  # kept on the upload: the page shows it
            run_import(upload)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"state": upload.state, "staged": upload.staged, "total": upload.total})
    return redirect(url_for("console.import_progress", slug=slug, upload_id=upload.id),
                    code=303)
