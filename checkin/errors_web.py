"""How a refusal reads: JSON under /api/, a page everywhere else."""

from flask import Flask, current_app, flash, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from checkin.errors import DomainError
from checkin.extensions import db
from checkin.transactions import is_busy

RETRY_AFTER_SECONDS = 2


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def form_error(form, error: DomainError) -> None:
    """Show a service's refusal on a form: next to the field it names, else at the top."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def json_refusal(error: DomainError):
    """A refusal as JSON, its message in the request's language (for the API and for the
    pages' own JSON endpoints, such as the door's)."""
    return jsonify(error.as_json()), error.status


def handle_domain_error(error: DomainError):
    if _wants_json():
        return json_refusal(error)
    return render_template("error.html", title=error.message, status=error.status), error.status


def handle_http_error(error: HTTPException):
    if _wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        body = {"error": {"code": code, "message": error.description or error.name}}
        return jsonify(body), error.code
    return render_template("error.html", title=error.name, status=error.code), error.code


def handle_busy_database(error: OperationalError):
    """The database stayed busy past our wait (SQLite's one writer): 503, try again shortly."""
    if not is_busy(error):
        if current_app.testing:
            raise error
        return handle_unexpected(error)

    db.session.rollback()
    message = _("The server is busy. Try again in a moment.")
    if _wants_json():
        response = jsonify({"error": {"code": "busy", "message": message}})
    else:
        response = render_template("error.html", title=message, status=503)
    return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def handle_unexpected(error: Exception):
    current_app.logger.exception("unhandled error")
    if _wants_json():
        body = {"error": {"code": "internal_error",
                          "message": _("Something went wrong on our side.")}}
        return jsonify(body), 500
    return render_template("error.html", title="Error", status=500), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_busy_database)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
