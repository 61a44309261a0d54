"""Fixtures for every test: app, client, runner, database, SMTP server, browser."""

import contextvars
import os
import re
import shutil
import socket
import threading
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from checkin import create_app
from checkin.extensions import db
from tests import factories

DATABASE_URL = os.environ.get("CHECKIN_DATABASE_URL") or os.environ.get("DATABASE_URL")
ON_POSTGRES = bool(DATABASE_URL and DATABASE_URL.startswith("postgres"))
CHROMIUM = os.environ.get("CHECKIN_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("CHECKIN_REQUIRE_BROWSER") == "1"
PHONE = {"width": 390, "height": 844}


def pg_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_settings(database_url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CHECKIN_MAIL_URL": (tmp / "outbox").as_uri(),
        "CHECKIN_BASE_URL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
        # scrypt costs a quarter of a second per hash; tests check behaviour, not strength.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database built once by the migrations; each test gets a fresh copy or a clean slate."""
    from flask_migrate import upgrade

    tmp = tmp_path_factory.mktemp("db")
    if ON_POSTGRES:
        url = pg_url(DATABASE_URL)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp / 'template.db'}"
    app = create_app(base_settings(url, tmp), instance_path=str(tmp / "instance"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if ON_POSTGRES:
        yield migrated_database
        _truncate_all(migrated_database)
    else:
        template = Path(migrated_database.removeprefix("sqlite:///"))
        copy = tmp_path / "test.db"
        shutil.copy(template, copy)
        yield f"sqlite:///{copy}"


@pytest.fixture
def settings(database_url, tmp_path) -> dict:
    """Override in a test module to change a setting for that module."""
    return base_settings(database_url, tmp_path)


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The test keeps an app context open for factories and services; without
    this, requests would share its ``g`` and its database session. After each
    request the test's session is expired, so it reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not when called again for a redirect, inside the fresh context
            db.session.expire_all()
        return response


@pytest.fixture
def app(settings, tmp_path):
    app = create_app(settings, instance_path=str(tmp_path / "instance"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


# Factories as fixtures that return callables (Indico's style).
@pytest.fixture
def create_organizer(app):
    return factories.make_organizer


@pytest.fixture
def create_event(app):
    return factories.make_event


@pytest.fixture
def create_attendee(app):
    return factories.make_attendee


@pytest.fixture
def create_connection(app):
    return factories.make_connection


@pytest.fixture
def owner(app):
    return factories.make_organizer()


@pytest.fixture
def event(owner):
    return factories.make_event(owner)


def login(client, organizer, password=factories.PASSWORD):
    response = client.post("/console/login", data={"email": organizer.email, "password": password})
    assert response.status_code == 303, response.status_code
    return response


# A real SMTP server on loopback.
class Mailbox:
    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()
        self.script: list = []  # replies to give instead of accepting, in order

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.script:
                reply = self.script.pop(0)
                if reply is not None:
                    return reply
            import email
            from email import policy

            parsed = email.message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.url = f"smtp://127.0.0.1:{controller.port}"
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


# A real server and a real browser.
@pytest.fixture
def live_server(app):
    """The app served on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    app.config["CHECKIN_BASE_URL"] = server.url
    yield server
    server.shutdown()


def _need_browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message + "; CHECKIN_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_instance():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic"]


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def launch_browser(playwright_instance):
    """Launch a Chromium with extra flags (a fake camera, say); closed after the test."""
    launched = []

    def launch(*extra_args):
        b = playwright_instance.chromium.launch(executable_path=CHROMIUM,
                                                args=BROWSER_ARGS + list(extra_args))
        launched.append(b)
        return b

    yield launch
    for b in launched:
        b.close()


@pytest.fixture
def phone_context(browser):
    """A browser context the size of a phone (390×844), touch, English first."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="en-US")
    yield context
    context.close()


@pytest.fixture
def page(phone_context):
    page = phone_context.new_page()
    yield page
    page.close()
