"""A phone that already has a card's public page gets 304 Not Modified until the card changes,
and the public part of a card is rendered once per card and language (issue 14)."""

import pytest
from flask import template_rendered

from checkin.events.services import close_event
from checkin.faces.images import process_photo
from checkin.people.services import update_card
from tests.factories import make_attendee, make_connection
from tests.people_helpers import sign_in_as
from tests.photos import phone_jpeg


@pytest.fixture
def ana(event):
    return make_attendee(event, first_name="Ana", last_name="García", offer="Logotipos",
                         phone="+34 600 000 000", share_phone=True)


def get_again(client, path, first, **headers):
    return client.get(path, headers={"If-None-Match": first.headers["ETag"], **headers})


def test_a_phone_that_has_the_card_gets_304_with_nothing_to_download(client, ana):
    path = f"/c/{ana.card_code}"
    first = client.get(path)
    assert first.status_code == 200 and "Logotipos" in first.text
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = get_again(client, path, first)
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("change", [
    lambda ana: update_card(ana.person, offer="Etiquetas"),
    lambda ana: update_card(ana.person, photo=process_photo(phone_jpeg())),
    lambda ana: close_event(ana.event),
], ids=["text", "photo", "event closed"])
def test_a_changed_card_is_sent_again(client, ana, change):
    path = f"/c/{ana.card_code}"
    first = client.get(path)
    change(ana)
    again = get_again(client, path, first)
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]


def test_another_language_is_another_page(client, ana):
    path = f"/c/{ana.card_code}"
    english = client.get(path, headers={"Accept-Language": "en"})
    spanish = get_again(client, path, english, **{"Accept-Language": "es"})
    assert spanish.status_code == 200 and "Qué ofrezco" in spanish.text


def test_signing_in_makes_the_card_personal_again(client, event, ana):
    luis = make_attendee(event)
    make_connection(luis, ana)
    path = f"/c/{ana.card_code}"
    first = client.get(path)
    sign_in_as(client, luis)
    page = get_again(client, path, first)
    assert page.status_code == 200 and "+34 600 000 000" in page.text
    assert page.headers["Cache-Control"] == "private, no-store" and "ETag" not in page.headers


def test_a_page_with_a_message_to_show_once_is_never_kept(client, ana):
    path = f"/c/{ana.card_code}"
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "You are signed out.")]
    page = client.get(path)
    assert "You are signed out." in page.text and "ETag" not in page.headers


def test_the_public_part_is_rendered_once_per_card_and_language(app, client, ana):
    rendered = []

    def count(_app, template, context):
        if template.name == "connections/_public_card.html":
            rendered.append(context["public"]["offer"])

    path = f"/c/{ana.card_code}"
    with template_rendered.connected_to(count, app):
        for _ in range(3):
            assert "Logotipos" in client.get(path, headers={"Accept-Language": "en"}).text
        assert "Qué ofrezco" in client.get(path, headers={"Accept-Language": "es"}).text
        update_card(ana.person, offer="Etiquetas")
        assert "Etiquetas" in client.get(path, headers={"Accept-Language": "en"}).text
    assert rendered == ["Logotipos", "Logotipos", "Etiquetas"]
