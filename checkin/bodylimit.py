"""Request bodies over MAX_CONTENT_LENGTH are refused (413) however they arrive.

Werkzeug checks a declared Content-Length, but a chunked body (no length) is only read up to
the limit and then silently ends: a 22 MB guest list arrived as its first 20 MB and was
imported as if whole. Here a chunked body is read to its end (never past limit + 1 bytes)
before the app sees it, then handed on with its real length, or refused.
"""

import io

from flask import Flask, abort, request

TOO_LARGE = "checkin.body_too_large"


class ChunkedBodyLimit:
    """WSGI middleware: a chunked request body becomes one with a length, or a 413."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        # Only where the server decodes the chunks and ends the stream for us.
        if limit and chunked and not environ.get("CONTENT_LENGTH") \
                and environ.get("wsgi.input_terminated"):
            body = read_at_most(environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


def read_at_most(stream, size: int) -> bytes:
    parts, total = [], 0
    while total < size:
        part = stream.read(min(64 * 1024, size - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def refuse_oversized_body():
    if request.environ.get(TOO_LARGE):
        abort(413)


def init_app(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app)
    app.before_request(refuse_oversized_body)
