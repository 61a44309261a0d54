"""Response headers every page carries, and who the client is behind trusted proxies."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


# Built once: every response carries these unless its view set its own (the follow-up preview
# frames itself with a CSP of its own).
EVERY_RESPONSE = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Strict by default: sign-in links must never leak through a Referer.
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
)
EVERY_RESPONSE_BY_NAME = tuple((name.lower(), (name, value)) for name, value in EVERY_RESPONSE)
NEVER_STORED = ("/api/", "/console", "/s/", "/me")  # personal pages: no cache keeps them
NO_STORE = ("Cache-Control", "no-store")


class SecurityHeaders:
    """WSGI middleware: the headers above added to the response's own list as it starts."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        never_stored = environ.get("PATH_INFO", "").startswith(NEVER_STORED)

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            added = [h for name, h in EVERY_RESPONSE_BY_NAME if name not in present]
            if never_stored and "cache-control" not in present:
                added.append(NO_STORE)
            return start_response(status, [*headers, *added], exc_info)

        return self.wsgi_app(environ, start_with_headers)


def framed_by_this_site(response):
    """A page this site's own pages may show in a frame (the door prints a badge from one)."""
    response.headers["Content-Security-Policy"] = CSP.replace("frame-ancestors 'none'",
                                                              "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def trust_proxies(app: Flask, count: int) -> None:
    """Behind ``count`` proxies, the client address and scheme are the ones they forwarded.

    Only the last ``count`` hops of X-Forwarded-For are believed, so a client cannot pick
    its own address (and escape its rate limits) by sending the header itself. Without
    this every client looks like the proxy, and shares one rate limit with everyone.
    """
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def init_app(app: Flask) -> None:
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    trust_proxies(app, app.config.get("CHECKIN_TRUSTED_PROXIES", 0))
