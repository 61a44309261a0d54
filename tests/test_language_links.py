"""The footer's language switch is a pair of links (issue 14: no CSRF token minted on a page
without a form), and a link another site sends the browser to changes nothing."""

import pytest

from checkin.extensions import db
from checkin.people.models import Person
from tests.people_helpers import sign_in_as

FROM_OUR_PAGE = {"Sec-Fetch-Site": "same-origin"}
FROM_ANOTHER_SITE = {"Sec-Fetch-Site": "cross-site"}


def test_the_front_page_has_no_form_no_token_and_sets_no_cookie(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/", headers={"Accept-Language": "es"})
    assert 'name="csrf_token"' not in page.text and "<form" not in page.text
    assert "Set-Cookie" not in page.headers
    assert 'href="/lang?lang=en&amp;next=/"' in page.text
    assert 'aria-current="true">Español</a>' in page.text


def test_an_anonymous_card_page_has_no_token(csrf_app, event, create_attendee):
    ana = create_attendee(event)
    page = csrf_app.test_client().get(f"/c/{ana.card_code}")
    assert page.status_code == 200 and 'name="csrf_token"' not in page.text


def test_a_page_with_a_form_still_carries_its_token(csrf_app, event, create_attendee):
    client = csrf_app.test_client()
    ana, luis = create_attendee(event), create_attendee(event)
    sign_in_as(client, luis)
    assert 'name="csrf_token"' in client.get(f"/c/{ana.card_code}").text  # Connect


def test_the_language_link_from_our_page_switches_and_goes_back(client):
    response = client.get("/lang?lang=es&next=/console/login", headers=FROM_OUR_PAGE)
    assert response.status_code == 303 and response.headers["Location"] == "/console/login"
    assert "Conoce gente" in client.get("/", headers={"Accept-Language": "en"}).text


@pytest.mark.parametrize("headers", [
    FROM_ANOTHER_SITE,
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is not this site either
    {},  # no browser says where it came from: a script, or a page that hid its address
    {"Referer": "https://evil.example/page"},
])
def test_a_link_from_elsewhere_changes_nothing(client, headers):
    response = client.get("/lang?lang=es&next=/", headers=headers)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Meet people" in client.get("/", headers={"Accept-Language": "en"}).text


def test_a_browser_too_old_to_say_where_it_came_from_sends_our_address(client):
    client.get("/lang?lang=es&next=/", headers={"Referer": "http://localhost/c/ABC"})
    assert "Conoce gente" in client.get("/", headers={"Accept-Language": "en"}).text


def test_the_link_never_redirects_off_site(client):
    response = client.get("/lang?lang=es&next=//evil.example", headers=FROM_OUR_PAGE)
    assert response.headers["Location"] == "/"


def test_a_signed_in_attendees_link_is_their_language_but_not_from_another_site(
        client, event, create_attendee):
    me = create_attendee(event)
    sign_in_as(client, me)
    client.get(f"/lang?lang=es&next=/e/{event.slug}/me", headers=FROM_ANOTHER_SITE)
    assert db.session.get(Person, me.person_id).language is None
    client.get(f"/lang?lang=es&next=/e/{event.slug}/me", headers=FROM_OUR_PAGE)
    assert db.session.get(Person, me.person_id).language == "es"  # the emails follow it


def test_posting_the_language_still_needs_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    assert client.post("/lang", data={"lang": "es", "next": "/"}).status_code == 400
    assert "Meet people" in client.get("/", headers={"Accept-Language": "en"}).text


def test_the_front_page_is_rendered_once_per_language(app, client):
    from flask import template_rendered

    rendered = []
    with template_rendered.connected_to(lambda _app, template, context: rendered.append(
            template.name), app):
        for _ in range(3):
            assert "Meet people" in client.get("/", headers={"Accept-Language": "en"}).text
            assert "Conoce gente" in client.get("/", headers={"Accept-Language": "es"}).text
        with client.session_transaction() as session:
            session["_flashes"] = [("success", "You are signed out.")]
        assert "You are signed out." in client.get("/").text  # a message: its own page
        assert "You are signed out." not in client.get("/").text
    assert rendered.count("site/home.html") == 3
