"""Guest lists: reading the exports of ticketing systems and importing them into an event."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkin.guestlists.cli import attendees_cli

    app.cli.add_command(attendees_cli)
