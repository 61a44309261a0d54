"""The JSON API under /api/v1, for other tools and our own door page."""

import importlib
import importlib.util

from flask import Flask

from checkin.extensions import csrf

# Each module adds its routes to the blueprint and its paths to the OpenAPI document.
MODULES = ("events", "checkins", "attendees", "imports", "connections", "invitations",
           "document", "followups")


def init_app(app: Flask) -> None:
    """Register the blueprint with every API module's routes; bearer tokens replace CSRF."""
    from checkin.api.common import bp

    for name in MODULES:
        if importlib.util.find_spec(f"checkin.api.{name}") is not None:
            importlib.import_module(f"checkin.api.{name}")
    csrf.exempt(bp)
    app.register_blueprint(bp)
