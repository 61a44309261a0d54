"""People and their cards; attendees (a person at an event) and how they sign in."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The attendee pages hook in here."""
