"""Events: one gathering, its time, place and state."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkin.events.cli import events_cli

    app.cli.add_command(events_cli)
