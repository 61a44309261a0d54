"""The JSON API under /api/v1, for other tools and our own door page."""

from flask import Flask

# Each module adds its routes to the blueprint and its paths to the OpenAPI document when it
# is imported. Named plainly, so a module that is missing or misspelt stops the app at once.
from checkin.api import (  # noqa: F401  (imported for the routes and paths they add)
    attendees,
    checkins,
    communities,
    connections,
    document,
    events,
    followups,
    imports,
    invitations,
    requests,
)
from checkin.api.common import bp
from checkin.extensions import csrf


def init_app(app: Flask) -> None:
    """Register the blueprint with every API module's routes; bearer tokens replace CSRF."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
