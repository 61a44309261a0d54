"""A body over the limit is refused (413) however it arrives: with a length, or chunked."""

import http.client
import time
from urllib.parse import urlsplit

import pytest

from checkin.extensions import db
from checkin.people.models import Attendee
from tests.conftest import login
from tests.factories import make_api_token

LIMIT = 1024 * 1024


def guest_list(size: int) -> bytes:
    """A spreadsheet of about ``size`` bytes, every row a guest."""
    rows, n = ["name,email,note\n"], 0
    total = len(rows[0])
    while total < size:
        row = f"Guest {n},guest{n}@example.org,{'x' * 150}\n"
        rows.append(row)
        total += len(row)
        n += 1
    return "".join(rows).encode()


def chunked_post(server, path: str, body: bytes, headers: dict) -> http.client.HTTPResponse:
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def chunks():
        view = memoryview(body)
        for start in range(0, len(body), 64 * 1024):
            yield bytes(view[start:start + 64 * 1024])

    conn.request("POST", path, body=chunks(), headers=headers, encode_chunked=True)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


@pytest.fixture
def small_limit(app):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT


def test_a_chunked_upload_over_the_limit_is_refused_not_cut(small_limit, live_server, owner,
                                                            event):
    token = make_api_token(owner)[1]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    path = f"/api/v1/events/{event.slug}/imports?confirm=true"
    response = chunked_post(live_server, path, guest_list(LIMIT + 200_000), headers)
    assert response.status == 413, response.body[:300]
    assert b'"code"' in response.body
    assert db.session.query(Attendee).count() == 0
    small = chunked_post(live_server, path, guest_list(LIMIT - 100_000), headers)
    assert small.status in (201, 202)  # under the limit, chunked is fine (and imported)
    deadline = time.monotonic() + 60
    while not db.session.query(Attendee).count() and time.monotonic() < deadline:
        time.sleep(0.2)
        db.session.rollback()
    assert db.session.query(Attendee).count() > 0


def test_a_chunked_console_upload_over_the_limit_is_refused(small_limit, live_server, owner,
                                                            event):
    client_cookie = _signed_in_cookie(live_server, owner)
    boundary = "----checkin"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"guests.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() \
        + guest_list(LIMIT + 200_000) + f"\r\n--{boundary}--\r\n".encode()
    response = chunked_post(live_server, f"/console/events/{event.slug}/import", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": client_cookie})
    assert response.status == 413
    assert db.session.query(Attendee).count() == 0


def _signed_in_cookie(server, organizer) -> str:
    from flask import current_app

    client = current_app.test_client()
    login(client, organizer)
    cookie = client.get_cookie("session")
    return f"session={cookie.value}"


def test_a_body_with_a_length_over_the_limit_is_refused(small_limit, live_server, owner,
                                                        event):
    token = make_api_token(owner)[1]
    url = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.request("POST", f"/api/v1/events/{event.slug}/imports?confirm=true",
                 body=guest_list(LIMIT + 1000),
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 413
    assert db.session.query(Attendee).count() == 0
