"""Organizer accounts: sign-in, roles per event, API tokens."""

from flask import Flask

from checkin.extensions import db, login_manager


def init_app(app: Flask) -> None:
    from checkin.accounts.cli import organizer_cli
    from checkin.accounts.models import Organizer
    from checkin.accounts.views import bp

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_organizer(organizer_id: str):
        return db.session.get(Organizer, int(organizer_id))

    app.register_blueprint(bp)
    app.cli.add_command(organizer_cli)
