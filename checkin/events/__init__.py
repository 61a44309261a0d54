"""Events: one gathering, its time, place and state."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Cycle guard (checkin.events -> its views and CLI -> other domains -> checkin.events.*):
    # importing any checkin.events module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.events.cli import events_cli

    app.cli.add_command(events_cli)
