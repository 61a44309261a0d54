"""The public front page and the health check."""

from flask import Blueprint, Flask, Response, current_app, render_template, send_from_directory

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


HEALTHY = b'{"status": "ok"}\n'


@bp.get("/healthz")
def healthz():
    """The app is up and its database answers: one round trip on a pooled connection, without
    an ORM session or a statement to compile (a load balancer asks every few seconds)."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return Response(HEALTHY, mimetype="application/json")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
