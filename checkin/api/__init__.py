"""The JSON API under /api/v1, for other tools and our own door page."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The API blueprint hooks in here."""
