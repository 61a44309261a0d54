"""Connections: two attendees who exchanged cards, and their private notes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The exchange pages: card, connect, notes, People I met, the scanner."""
    # Cycle guard (checkin.connections -> views, CLI -> other domains -> checkin.connections.*):
    # importing any checkin.connections module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.connections.views import bp

    app.register_blueprint(bp)
