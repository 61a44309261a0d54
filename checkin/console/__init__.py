"""The organizer's console: events, guests, invitations, exports."""

import logging
import re

from flask import Flask

_JOIN_SECRET = re.compile(r"/console/join/[^\s?\"' ]+")


class RedactStaffInvitationSecrets(logging.Filter):
    """A staff invitation link is a one-time secret: access logs show it as [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/console/join/" in message:
            record.msg = _JOIN_SECRET.sub("/console/join/[redacted]", message)
            record.args = ()
        return True


def install_log_filter() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactStaffInvitationSecrets) for f in logger.filters):
            logger.addFilter(RedactStaffInvitationSecrets())


def init_app(app: Flask) -> None:
    # Cycle guard (checkin.console -> its views and CLI -> other domains -> checkin.console.*):
    # importing any checkin.console module runs this file first, so what reaches other
    # domains is imported only when the app is built.
    from checkin.console import (  # noqa: F401  (routes)
        attendees,
        exports,
        imports,
        invitations,
        staff,
    )
    from checkin.console.views import bp

    install_log_filter()
    app.register_blueprint(bp)
