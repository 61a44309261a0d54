"""The door: check-in and check-out, online and offline."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The door page hooks in here."""
