"""Connections: two attendees who exchanged cards, and their private notes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The exchange pages hook in here."""
