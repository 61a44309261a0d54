"""The session cookie: signed when it changes, re-sent to extend its life at most once a day.

Flask re-signs a permanent session and sets it again on every response, so that its 30 days
count from the last visit. That is one HMAC and one Set-Cookie per request for every
signed-in phone. Here the cookie is re-sent only when its content changed or it was signed
more than ``REFRESH_AFTER`` ago: it still expires 30 days after the last visit, give or take
a day, and an unchanged session costs one signature check per request.
"""

import time
from datetime import timedelta

from flask import Flask
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

REFRESH_AFTER = timedelta(days=1)


class SignedSession(SecureCookieSession):
    """A session that knows when its cookie was signed (``None``: not from a cookie)."""

    signed_at: float | None = None


class SessionCookie(SecureCookieSessionInterface):
    session_class = SignedSession

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """One serializer per key set, built once rather than twice a request."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request) -> SignedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at > REFRESH_AFTER.total_seconds()


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookie()
