"""Communities: the cowork, association or meetup group that runs events, and its owners."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The console's community pages hook in here."""
    # Cycle guard: importing any checkin.communities module runs this file first, so the
    # views (which reach other domains) are imported only when the app is built.
    from checkin.communities.views import bp

    app.register_blueprint(bp)
