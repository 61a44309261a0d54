"""The organizer's console: events, guests, invitations, exports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkin.console import (  # noqa: F401  (routes)
        attendees,
        exports,
        imports,
        invitations,
        staff,
    )
    from checkin.console.views import bp

    app.register_blueprint(bp)
