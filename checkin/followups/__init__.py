"""After the event: closing, follow-up emails, the organizer's summary, the outbox page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkin.followups.cli import add_close_command, followups_cli
    from checkin.followups.views import bp, public

    app.register_blueprint(bp)
    app.register_blueprint(public)
    app.cli.add_command(followups_cli)
    add_close_command(app.cli)
