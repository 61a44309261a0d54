"""The organizer's console: events, guests, invitations, exports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkin.console import attendees, exports, imports  # noqa: F401  (routes)
    from checkin.console.views import bp

    app.register_blueprint(bp)
