"""Guest lists: reading the exports of ticketing systems and importing them into an event."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Cycle guard (checkin.guestlists -> views, CLI -> other domains -> checkin.guestlists.*):
    # importing any checkin.guestlists module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.guestlists.cli import attendees_cli

    app.cli.add_command(attendees_cli)
