"""The door: check-in and check-out, online and offline; the live dashboard; badges."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The door page, its JSON endpoints, the kiosk, the dashboard and the badge sheets."""
    # Cycle guard (checkin.door -> its views and CLI -> other domains -> checkin.door.*):
    # importing any checkin.door module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.door import kiosk
    from checkin.door.json_api import api
    from checkin.door.pages import pages

    app.register_blueprint(pages)
    app.register_blueprint(api)
    kiosk.init_app(app)
