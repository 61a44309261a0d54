"""What every response costs: the session cookie re-sent only when due, headers on every
response, a database connection dropped while idle replaced before a request uses it, and a
health check that asks the database on a pooled DBAPI connection."""

import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import create_engine, text
from sqlalchemy import event as sa_event
from sqlalchemy.pool import NullPool

from checkin.cookies import REFRESH_AFTER
from checkin.extensions import db
from tests.conftest import ON_POSTGRES
from tests.people_helpers import sign_in_as


def test_a_signed_in_phone_gets_its_cookie_once_not_on_every_page(client, event,
                                                                  create_attendee):
    ana = create_attendee(event)
    signin = sign_in_as(client, ana)
    assert "session=" in signin.headers["Set-Cookie"]
    assert "Expires=" in signin.headers["Set-Cookie"]  # permanent: it outlives the browser
    client.get(f"/e/{event.slug}/me")  # the page after the link may still remember things
    for path in (f"/e/{event.slug}/me", f"/c/{ana.card_code}", "/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Set-Cookie" not in page.headers, path
    assert ana.person.display_name in client.get(f"/e/{event.slug}/me").text


def test_a_cookie_signed_over_a_day_ago_is_sent_again_to_keep_its_30_days(
        app, client, event, create_attendee, monkeypatch):
    ana = create_attendee(event)
    signed_days_ago = int(time.time() - REFRESH_AFTER.total_seconds() - 60)
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, "get_timestamp", lambda self: signed_days_ago)
        sign_in_as(client, ana)
    page = client.get(f"/e/{event.slug}/me")
    assert page.status_code == 200 and ana.person.display_name in page.text
    cookie = page.headers["Set-Cookie"]
    assert "session=" in cookie and "Expires=" in cookie
    # The new cookie is signed now: the next page needs none.
    assert "Set-Cookie" not in client.get(f"/e/{event.slug}/me").headers


def test_a_tampered_cookie_still_signs_nobody_in(client, event, create_attendee):
    ana = create_attendee(event)
    sign_in_as(client, ana)
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get(f"/e/{event.slug}/me").status_code == 303


@pytest.mark.parametrize("path", ["/", "/healthz", "/static/css/app.css", "/nothing-here",
                                  "/api/v1/events"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers.getlist("Content-Security-Policy") == [
        response.headers["Content-Security-Policy"]]


def test_personal_pages_are_never_stored_and_say_so_once(client):
    for path in ("/api/v1/events", "/console/login"):
        assert client.get(path).headers.getlist("Cache-Control") == ["no-store"], path


@pytest.mark.skipif(not ON_POSTGRES, reason="a SQLite file is never dropped by a server")
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_a_request(client):
    db.session.close()
    db.engine.dispose()  # the pool now holds only the connection below
    with db.engine.connect() as conn:
        victim = conn.scalar(text("SELECT pg_backend_pid()"))
        record = conn.connection._connection_record
    outside = create_engine(db.engine.url, poolclass=NullPool)
    with outside.connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
    outside.dispose()
    record.info["idle_since"] -= 3600  # as if it sat in the pool for an hour
    assert client.get("/healthz").json == {"status": "ok"}


def _drop_the_pooled_connection() -> None:
    """The server ends the one connection in the pool (a restart, a failover, an admin)."""
    db.session.close()
    db.engine.dispose()
    with db.engine.connect() as conn:
        victim = conn.scalar(text("SELECT pg_backend_pid()"))
    outside = create_engine(db.engine.url, poolclass=NullPool)
    with outside.connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
    outside.dispose()


def test_a_health_check_asks_the_database_on_a_pooled_connection_and_nothing_more(client):
    """``SELECT 1`` reaches the database from a connection the pool hands out (so its idle
    ping and its reset still apply), without a SQLAlchemy Connection and its events."""
    client.get("/healthz")
    checkouts, statements = [], []

    def checked_out(*_args):
        checkouts.append(True)

    def statement(_conn, _cursor, sql, *_args):
        statements.append(sql)

    sa_event.listen(db.engine.pool, "checkout", checked_out)
    sa_event.listen(db.engine, "before_cursor_execute", statement)
    try:
        answer = client.get("/healthz")
    finally:
        sa_event.remove(db.engine.pool, "checkout", checked_out)
        sa_event.remove(db.engine, "before_cursor_execute", statement)
    assert answer.json == {"status": "ok"}
    assert checkouts == [True] and statements == []


@pytest.mark.skipif(not ON_POSTGRES, reason="a SQLite file is never dropped by a server")
def test_a_health_check_whose_connection_was_dropped_fails_and_the_next_one_connects_anew(
        client):
    _drop_the_pooled_connection()  # not idle long enough to be pinged on checkout
    with pytest.raises(Exception, match="terminat|closed|connection"):
        client.get("/healthz")
    assert client.get("/healthz").json == {"status": "ok"}
