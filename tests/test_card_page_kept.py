"""The card page a signed-in viewer sees is rendered once per everything it shows and kept
(issue 14): any change to what it shows, made by this process or another, shows at once; no
viewer is ever shown another's page; each request's forms carry its own session's CSRF token."""

import pytest
from flask import template_rendered

from checkin.connections import card_page
from checkin.connections.services import remove_connection, write_note
from checkin.events.services import close_event
from checkin.extensions import db
from checkin.faces.images import process_photo
from checkin.people.services import update_card
from tests.conftest import csrf_token_from
from tests.factories import make_attendee, make_connection, make_note
from tests.people_helpers import sign_in_as
from tests.photos import phone_jpeg

PHONE = "+34 600 000 000"


@pytest.fixture
def ana(event):
    return make_attendee(event, first_name="Ana", last_name="García", offer="Logotipos",
                         phone=PHONE, share_phone=True)


@pytest.fixture
def luis(event):
    return make_attendee(event, first_name="Luis", last_name="Núñez")


@pytest.fixture
def rendered(app):
    """The card pages rendered (not served from what was kept) while the test runs."""
    pages = []

    def count(_app, template, context):
        if template.name == "connections/card.html":
            pages.append(template.name)

    with template_rendered.connected_to(count, app):
        yield pages


def test_the_same_view_again_is_served_without_rendering(client, ana, luis, rendered):
    make_note(luis, make_connection(luis, ana), "Knows printers")
    sign_in_as(client, luis)
    pages = [client.get(f"/c/{ana.card_code}").text for _ in range(3)]
    assert all(PHONE in page and "Knows printers" in page for page in pages)
    assert len(rendered) == 1


# Each change is made the way another process would make it: in the database only, with no
# word to this process's kept pages.
CHANGES = {
    "card text": (lambda ana, luis, c: update_card(ana.person, offer="Etiquetas"),
                  "Etiquetas", "Logotipos"),
    "shared details": (lambda ana, luis, c: update_card(ana.person, share_phone=False,
                                                         share_email=False, share_links=False),
                       "shares no contact details", PHONE),
    "photo": (lambda ana, luis, c: update_card(ana.person, photo=process_photo(phone_jpeg())),
              "<img class=\"face", "<svg class=\"face"),
    "my note": (lambda ana, luis, c: write_note(luis, c, "Quedar el jueves"),
                "Quedar el jueves", "Knows printers"),
    "I removed them": (lambda ana, luis, c: remove_connection(luis, ana), "Connect", PHONE),
    "they removed me": (lambda ana, luis, c: remove_connection(ana, luis), "Connect", PHONE),
    "event closed": (lambda ana, luis, c: close_event(ana.event), "My note", "Save note"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_kept_page_shows_any_change_at_once(client, ana, luis, change):
    make_change, now_shown, no_longer_shown = change
    connection = make_connection(luis, ana)
    make_note(luis, connection, "Knows printers")
    sign_in_as(client, luis)
    path = f"/c/{ana.card_code}"
    before = client.get(path).text
    assert no_longer_shown in before
    make_change(ana, luis, connection)
    db.session.expire_all()
    after = client.get(path).text
    assert now_shown in after and no_longer_shown not in after


def test_connecting_shows_the_contact_details_at_once(client, ana, luis):
    sign_in_as(client, luis)
    path = f"/c/{ana.card_code}"
    assert "Connect" in client.get(path).text
    make_connection(luis, ana)  # as another process would record it
    page = client.get(path).text
    assert PHONE in page and "Save contact" in page


def test_taking_requests_or_not_shows_at_once(client, ana, luis):
    sign_in_as(client, luis)
    path = f"/c/{ana.card_code}"
    assert "Ask to meet" in client.get(path).text
    update_card(ana.person, accepts_requests=False)
    assert "Ask to meet" not in client.get(path).text


def test_another_viewer_never_gets_my_page(app, ana, luis, event):
    make_note(luis, make_connection(luis, ana), "Knows printers")
    pedro, marta = make_attendee(event, first_name="Pedro"), make_attendee(event)
    make_connection(marta, ana)
    phones = {}
    for who in (luis, pedro, marta):
        phones[who.id] = app.test_client()
        sign_in_as(phones[who.id], who)
    path = f"/c/{ana.card_code}"
    assert "Knows printers" in phones[luis.id].get(path).text
    stranger = phones[pedro.id].get(path).text
    assert "Connect" in stranger and PHONE not in stranger and "Knows printers" not in stranger
    connected = phones[marta.id].get(path).text
    assert PHONE in connected and "Knows printers" not in connected


def test_my_own_card_is_never_someone_elses_preview(app, ana, luis):
    make_connection(luis, ana)
    phones = {who.id: app.test_client() for who in (ana, luis)}
    for who in (ana, luis):
        sign_in_as(phones[who.id], who)
    path = f"/c/{ana.card_code}"
    assert "This is your card as others see it." in phones[ana.id].get(path).text
    assert "This is your card as others see it." not in phones[luis.id].get(path).text
    assert "Edit my card" not in phones[luis.id].get(path).text


def test_each_language_is_its_own_page(client, ana, luis):
    make_connection(luis, ana)
    sign_in_as(client, luis)
    path = f"/c/{ana.card_code}"
    assert "Save contact" in client.get(path, headers={"Accept-Language": "en"}).text
    assert "Guardar contacto" in client.get(path, headers={"Accept-Language": "es"}).text


def test_each_phone_gets_its_own_csrf_token_in_a_kept_page(csrf_app, ana, luis, rendered):
    make_connection(luis, ana)
    phones = [csrf_app.test_client(), csrf_app.test_client()]
    tokens = []
    for phone in phones:
        sign_in_as(phone, luis)
        tokens.append(csrf_token_from(phone.get(f"/c/{ana.card_code}").text))
    assert len(rendered) == 1 and tokens[0] != tokens[1]
    path = f"/c/{ana.card_code}/note"
    assert phones[1].post(path, data={"text": "Nope", "csrf_token": tokens[0]}).status_code == 400
    saved = phones[1].post(path, data={"text": "Quedar el jueves", "csrf_token": tokens[1]})
    assert saved.status_code == 303
    assert "Quedar el jueves" in phones[0].get(f"/c/{ana.card_code}").text


def test_a_kept_page_without_a_form_mints_no_token(client, ana, luis):
    make_connection(luis, ana)
    sign_in_as(client, ana)
    for path, form_shown in ((f"/c/{ana.card_code}", False),  # my own card: a preview
                             (f"/c/{luis.card_code}", True)):
        for _ in range(2):  # rendered, then kept
            with client.session_transaction() as session:
                session.pop("csrf_token", None)
            page = client.get(path).text
            with client.session_transaction() as session:
                assert ("csrf_token" in session) is form_shown
            assert ('name="csrf_token"' in page) is form_shown


def test_kept_pages_are_bounded(app, client, event, luis, monkeypatch):
    monkeypatch.setattr(card_page, "KEPT_VIEWER_PAGES", 2)
    cards = [make_attendee(event) for _ in range(4)]
    sign_in_as(client, luis)
    for card in cards:
        assert client.get(f"/c/{card.card_code}").status_code == 200
    assert len(app.extensions[card_page.VIEWER_PAGES]) == 2
