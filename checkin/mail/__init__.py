"""The outbox: emails rendered and stored first, then delivered by a sender."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Cycle guard (checkin.mail -> its views and CLI -> other domains -> checkin.mail.*):
    # importing any checkin.mail module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.mail.cli import mail_cli
    from checkin.mail.private import private_filter

    app.cli.add_command(mail_cli)
    app.add_template_filter(private_filter, "private")
