"""People and their cards; attendees (a person at an event) and how they sign in."""

import logging
import re

from flask import Flask

_SECRET_IN_PATH = re.compile(r"/s/[^\s?\"' ]+")


class RedactSigninSecrets(logging.Filter):
    """Access logs print request paths; a sign-in link's secret must never reach them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/s/" in message:
            record.msg, record.args = _SECRET_IN_PATH.sub("/s/[redacted]", message), ()
        return True


def install_log_filter() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSigninSecrets) for f in logger.filters):
            logger.addFilter(RedactSigninSecrets())


def init_app(app: Flask) -> None:
    """The attendee pages hook in here."""
    # Cycle guard (checkin.people -> its views and CLI -> other domains -> checkin.people.*):
    # importing any checkin.people module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.people.views import bp

    install_log_filter()
    app.register_blueprint(bp)
