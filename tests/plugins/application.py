"""The app under test and its clients: app, client, runner, csrf_app, and signing in."""

import contextvars
import re

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from checkin import create_app
from checkin.extensions import db
from tests import factories


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


def login(client, organizer, password=factories.PASSWORD):
    response = client.post("/console/login", data={"email": organizer.email, "password": password})
    assert response.status_code == 303, response.status_code
    return response
