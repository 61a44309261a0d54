"""The outbox: emails rendered and stored first, then delivered by a sender."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkin.mail.cli import mail_cli
    from checkin.mail.private import private_filter

    app.cli.add_command(mail_cli)
    app.add_template_filter(private_filter, "private")
