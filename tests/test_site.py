"""Front page, languages, security headers, organizer sign-in and its refusals."""

import json
import re

import pytest

from checkin.accounts.services import LOGIN_BACKOFF
from tests.conftest import csrf_token_from, login
from tests.factories import PASSWORD


def test_home_speaks_english_and_spanish_by_accept_language(client):
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    spanish = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert "Meet people, keep in touch." in english.text
    assert "Conoce gente y sigue en contacto." in spanish.text
    assert '<html lang="es">' in spanish.text


def test_chosen_language_beats_the_browser(client):
    client.post("/lang", data={"lang": "es", "next": "/"})
    page = client.get("/", headers={"Accept-Language": "en"})
    assert "Conoce gente" in page.text


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/lang", data={"lang": "es", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_health_check(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_unknown_page_is_a_clear_404(client):
    response = client.get("/nothing-here", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert "No encontramos esa página." in response.text


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_console_needs_a_signed_in_organizer(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert "/console/login" in response.headers["Location"]


def test_organizer_signs_in_and_sees_their_events(client, owner, event):
    login(client, owner)
    page = client.get("/console/")
    assert event.name in page.text


def test_organizer_does_not_see_another_organizers_event(client, owner, create_organizer,
                                                         create_event):
    other_event = create_event(create_organizer(), name="Someone else's party")
    login(client, owner)
    assert other_event.name not in client.get("/console/").text


def test_wrong_password_is_refused(client, owner):
    response = client.post("/console/login", data={"email": owner.email, "password": "nope-nope"})
    assert response.status_code == 401
    assert "do not match" in response.text


def test_login_is_rate_limited(client, owner):
    for _ in range(LOGIN_BACKOFF.free):
        client.post("/console/login", data={"email": owner.email, "password": "wrong-pass"})
    response = client.post("/console/login", data={"email": owner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/console/").status_code == 302


def test_login_without_csrf_token_is_refused(csrf_app, owner):
    client = csrf_app.test_client()
    response = client.post("/console/login", data={"email": owner.email, "password": PASSWORD})
    assert response.status_code == 400
    token = csrf_token_from(client.get("/console/login").text)
    response = client.post("/console/login",
                           data={"email": owner.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_sign_out_needs_a_post(client, owner):
    login(client, owner)
    assert client.get("/console/logout").status_code == 405
    client.post("/console/logout")
    assert client.get("/console/").status_code == 302


@pytest.mark.browser
def test_login_page_at_phone_size(live_server, page):
    page.goto(live_server.url + "/console/login")
    assert page.get_by_label("Email").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    button = page.get_by_role("button", name="Sign in").bounding_box()
    assert button["height"] >= 44


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "/\\/evil.example",
                                    "https://evil.example"])
def test_no_form_redirects_off_site(client, owner, target):
    assert client.post("/lang", data={"lang": "es", "next": target}).headers["Location"] == "/"
    response = client.post(f"/console/login?next={target}",
                           data={"email": owner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/console/"


def test_pages_link_an_icon_and_a_manifest_that_can_be_pinned(client):
    page = client.get("/").text
    manifest_href = re.search(r'<link rel="manifest" href="([^"]+)"', page).group(1)
    with client.get(manifest_href) as manifest:
        assert manifest.status_code == 200
        body = json.loads(manifest.data)
    assert body["display"] == "standalone"
    # No start_url: the page pinned (the door page, a card) is the page that opens.
    assert "start_url" not in body
    base = manifest_href.rsplit("/", 1)[0]
    sizes = set()
    for icon in body["icons"]:
        with client.get(f"{base}/{icon['src']}") as served:
            assert served.status_code == 200, icon["src"]
            assert served.mimetype == icon["type"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    for rel in ("icon", "apple-touch-icon"):
        href = re.search(rf'<link rel="{rel}" href="([^"]+)"', page).group(1)
        with client.get(href) as served:
            assert served.status_code == 200


def test_favicon_ico_is_served_for_clients_that_ask_for_it(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert response.data.startswith(b"\x89PNG")
