"""Requests to meet: one attendee asks another, at a distance; a connection only if accepted."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The Requests page, asking from a card, the directory or a suggestion, and the signed
    one-click link from the follow-up."""
    from checkin.meeting_requests.views import bp, public

    app.register_blueprint(bp)
    app.register_blueprint(public)
