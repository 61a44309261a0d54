"""A member's pages across their community: My events, My network, the members' directory."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The member pages hook in here."""
    # Cycle guard: importing any checkin.members module runs this file first, so the views
    # (which reach every domain below) are imported only when the app is built.
    from checkin.members.views import bp

    app.register_blueprint(bp)
