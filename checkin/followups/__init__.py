"""After the event: closing, follow-up emails, the organizer's summary, the outbox page."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Cycle guard (checkin.followups -> views, CLI -> other domains -> checkin.followups.*):
    # importing any checkin.followups module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.followups.cli import add_close_command, followups_cli
    from checkin.followups.views import bp, public

    app.register_blueprint(bp)
    app.register_blueprint(public)
    app.cli.add_command(followups_cli)
    add_close_command(app.cli)
