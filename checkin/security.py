"""Response headers every page carries, and who the client is behind trusted proxies."""

from flask import Flask, request
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


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Strict by default: sign-in links must never leak through a Referer.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(self), microphone=(), geolocation=()"
    )
    if request.path.startswith(("/api/", "/console", "/s/", "/me")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


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
    trust_proxies(app, app.config.get("CHECKIN_TRUSTED_PROXIES", 0))
    app.after_request(add_security_headers)
