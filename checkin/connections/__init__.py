"""Connections: two attendees who exchanged cards, and their private notes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The exchange pages: card, connect, notes, People I met, the scanner."""
    from checkin.connections.views import bp

    app.register_blueprint(bp)
