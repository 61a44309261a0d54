"""The public front page and the health check."""

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
    send_from_directory,
    session,
)

from checkin.extensions import db
from checkin.i18n import current_language

bp = Blueprint("site", __name__)


FRONT_PAGES = "checkin.front_pages"  # app.extensions: {(language, root path): HTML}


@bp.get("/")
def home():
    """The front page: the same for every visitor who reads its language, so rendered once per
    language. A visit with a message to show once, or a query string, gets its own."""
    if "_flashes" in session or request.query_string:
        return render_template("site/home.html")
    pages = current_app.extensions[FRONT_PAGES]  # one per language, made again per process
    key = (current_language(), request.script_root)
    page = pages.get(key)
    if page is None:
        page = pages[key] = render_template("site/home.html")
    return page


@bp.get("/favicon.ico")
def favicon():
    """For clients that ask for the icon without reading the page's links."""
    return send_from_directory(current_app.static_folder, "icons/favicon-32.png",
                               mimetype="image/png", max_age=86400)


HEALTHY = b'{"status": "ok"}\n'


@bp.get("/healthz")
def healthz():
    """The app is up and its database answers ``SELECT 1``: one round trip on a pooled DBAPI
    connection, with no SQLAlchemy Connection, no statement events and no result object (a
    load balancer asks every few seconds, so what it costs is what the check is). The pool's
    own checkout still pings a connection left idle long enough to have been dropped."""
    connection = db.engine.raw_connection()
    try:  # one the server dropped fails here; the pool's reset on its return then discards it
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()
    return Response(HEALTHY, mimetype="application/json")


def init_app(app: Flask) -> None:
    app.extensions[FRONT_PAGES] = {}
    app.register_blueprint(bp)
