"""The ``checkin`` command: Flask's CLI with this app, plus every domain's commands."""

from flask.cli import FlaskGroup

import checkin
from checkin import create_app

# A script is not a person at the door: it waits for SQLite's write lock (SQLite retries
# all the while) rather than failing after the web's ten seconds.
CLI_SQLITE_BUSY_TIMEOUT_MS = 120_000


def main() -> None:
    checkin.SQLITE_BUSY_TIMEOUT_MS = CLI_SQLITE_BUSY_TIMEOUT_MS
    FlaskGroup(create_app=create_app, help="checkin: event check-in and card exchange.")()
