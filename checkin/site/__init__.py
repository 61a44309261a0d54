"""The public front page and the health check."""

from flask import Blueprint, Flask, current_app, render_template, send_from_directory
from sqlalchemy import text

from checkin.extensions import db

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    return render_template("site/home.html")


@bp.get("/favicon.ico")
def favicon():
    """For clients that ask for the icon without reading the page's links."""
    return send_from_directory(current_app.static_folder, "icons/favicon-32.png",
                               mimetype="image/png", max_age=86400)


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
