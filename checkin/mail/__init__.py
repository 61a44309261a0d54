"""The outbox: emails rendered and stored first, then delivered by a sender."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkin.mail.cli import mail_cli

    app.cli.add_command(mail_cli)
