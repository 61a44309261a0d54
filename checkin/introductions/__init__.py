"""Introductions: a member recommends two of their contacts to each other; each accepts
before anyone's details move."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The introduction pages, and the emails rendered again when they go out."""
    # Cycle guard: importing any checkin.introductions module runs this file first, so the
    # views (which reach the member pages) are imported only when the app is built.
    from checkin.introductions import mail  # noqa: F401  (registers the send-time renderers)
    from checkin.introductions.views import bp

    app.register_blueprint(bp)
