"""Organizer accounts: sign-in, roles per event, API tokens."""

from flask import Flask

from checkin.extensions import login_manager


def init_app(app: Flask) -> None:
    # Cycle guard (checkin.accounts -> views, CLI -> other domains -> checkin.accounts.*):
    # importing any checkin.accounts module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.accounts.cli import organizer_cli
    from checkin.accounts.services import forget_organizer_with_event, organizer_for_session
    from checkin.accounts.views import bp, read_console_access

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    login_manager.user_loader(organizer_for_session)
    # Before any other hook asks for the organizer (the kiosk's does).
    app.before_request(read_console_access)
    app.teardown_request(forget_organizer_with_event)

    app.register_blueprint(bp)
    app.cli.add_command(organizer_cli)
