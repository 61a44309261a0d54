"""The public front page and the health check."""

from flask import Blueprint, Flask, render_template
from sqlalchemy import text

from checkin.extensions import db

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    return render_template("site/home.html")


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
