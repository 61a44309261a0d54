"""QR codes: what a card's code says, and its drawing, made once and kept."""

import io
from urllib.parse import urlsplit

import segno
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from checkin.columns import now_utc
from checkin.extensions import db
from checkin.qr.models import QrDrawing

QUIET_ZONE = 4
ERROR_CORRECTION = "m"


def card_url(base_url: str, card_code: str) -> str:
    """The canonical card URL, as links and emails show it."""
    return f"{base_url.rstrip('/')}/c/{card_code}"


def card_payload(base_url: str, card_code: str) -> str:
    """The card URL as the QR encodes it.

    Scheme and host are case-insensitive and our card route answers ``/C/``, so
    when the base URL has no path the whole URL goes upper case and fits QR's
    alphanumeric mode, which needs fewer modules than byte mode.
    """
    parts = urlsplit(base_url.rstrip("/"))
    if parts.path in ("", "/") and not parts.query:
        return f"{parts.scheme}://{parts.netloc}/C/{card_code}".upper()
    return card_url(base_url, card_code)


def render(payload: str) -> tuple[int, str, bytes]:
    """Draw ``payload``: its QR version, an SVG (no XML declaration) and a PNG."""
    code = segno.make(payload, error=ERROR_CORRECTION, micro=False)
    svg = io.BytesIO()
    code.save(svg, kind="svg", border=QUIET_ZONE, xmldecl=False, svgns=True,
              nl=False, scale=1, svgclass="qr", lineclass=None, omitsize=True, light="#fff")
    png = io.BytesIO()
    code.save(png, kind="png", border=QUIET_ZONE, scale=10)
    return code.version, svg.getvalue().decode(), png.getvalue()


def drawing_for(payload: str) -> QrDrawing:
    """The stored drawing of ``payload``, drawn and kept now if this is the first time.

    A new drawing is written in its own short transaction, on its own connection, so it
    never commits whatever the caller's session holds, and a page that shows it never has
    to commit. Only when the session already holds SQLite's one write lock (where a second
    writer would wait on it) does the drawing join the caller's transaction instead.
    """
    with db.session.no_autoflush:  # the caller's pending changes stay theirs to flush
        drawing = db.session.scalar(select(QrDrawing).filter_by(payload=payload))
    if drawing is not None:
        return drawing
    version, svg, png = render(payload)
    values = {"payload": payload, "version": version, "svg": svg, "png": png,
              "created_at": now_utc()}
    try:
        if _holds_sqlite_write_lock():
            with db.session.begin_nested():
                db.session.add(QrDrawing(**values))
        else:
            with db.engine.begin() as connection:
                connection.execute(insert(QrDrawing).values(**values))
    except IntegrityError:  # drawn at the same moment by another request: the same picture
        pass
    with db.session.no_autoflush:
        return db.session.scalar(select(QrDrawing).filter_by(payload=payload))


def _holds_sqlite_write_lock() -> bool:
    session = db.session()
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return False
    return session.connection().connection.dbapi_connection.in_transaction


def drawings_for(payloads: list[str]) -> dict[str, QrDrawing]:
    """{payload: drawing} for many payloads: one query, and only the new ones drawn."""
    stored = {d.payload: d for d in db.session.scalars(
        select(QrDrawing).where(QrDrawing.payload.in_(payloads)))}
    return {p: stored.get(p) or drawing_for(p) for p in payloads}


def init_app(app) -> None:
    """Nothing to register: drawings are made by the services that need them."""
