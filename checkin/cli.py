"""The ``checkin`` command: Flask's CLI with this app, plus every domain's commands."""

from flask.cli import FlaskGroup


def main() -> None:
    from checkin import create_app

    FlaskGroup(create_app=create_app, help="checkin: event check-in and card exchange.")()
