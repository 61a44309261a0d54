"""My card: editing with limits, the QR page and PNG, my data, deleting me."""

import json

import pytest

from checkin.connections.models import Connection, Note
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.qr import card_payload
from checkin.qr.models import QrDrawing
from tests.conftest import csrf_token_from
from tests.people_helpers import sign_in_as
from tests.qrtools import decode_qr

CARD = {
    "display_name": "José Núñez", "headline": "Zapatero", "company": "Pasos Verdes",
    "what_i_do": "Zapatos a mano", "offer": "Escaparate", "need": "Proveedores",
    "pitch": "· Uno\n· Dos", "phone": "+34 600 000 000", "email": "jose@example.com",
    "share_email": "y", "share_links": "y", "suggestible": "y", "language": "es",
    "links-0": "https://pasos.example", "links-1": "", "links-2": "", "links-3": "",
    "links-4": "",
}


@pytest.fixture
def me(client, event, create_attendee):
    attendee = create_attendee(event)
    sign_in_as(client, attendee)
    return attendee


def save(client, event, **changes):
    return client.post(f"/e/{event.slug}/me", data={**CARD, **changes})


def test_my_card_needs_a_sign_in(client, event):
    response = client.get(f"/e/{event.slug}/me")
    assert response.status_code == 303 and response.headers["Location"] == f"/e/{event.slug}"


def test_edit_my_card(client, event, me):
    response = save(client, event)
    assert response.status_code == 303
    person = db.session.get(Person, me.person_id)
    assert person.display_name == "José Núñez" and person.pitch == "· Uno\n· Dos"
    assert person.links == ["https://pasos.example"]
    assert (person.share_email, person.share_phone, person.share_links) == (True, False, True)
    assert person.language == "es"
    assert "jose nunez" in db.session.get(Attendee, me.id).search_key
    page = client.get(f"/e/{event.slug}/me")
    assert "Tarjeta guardada." in page.text  # the language just chosen


@pytest.mark.parametrize(("field", "value", "message"), [
    ("display_name", "", "A name is needed."),
    ("display_name", "x" * 81, "At most 80 characters."),
    ("headline", "x" * 121, "At most 120 characters."),
    ("what_i_do", "x" * 10_000, "At most 500 characters."),
    ("pitch", "x" * 601, "At most 600 characters."),
    ("email", "nope", "This is not a valid email address."),
    ("links-0", "javascript:alert(1)", "A link starts with https://"),
    ("links-1", "ftp://example.com", "A link starts with https://"),
])
def test_limits_and_refusals_are_explained(client, event, me, field, value, message):
    response = save(client, event, language="", **{field: value})
    assert response.status_code == 400
    assert message in response.text
    assert db.session.get(Person, me.person_id).display_name != "José Núñez"


def test_a_bare_domain_is_saved_as_a_web_link(client, event, me):
    response = save(client, event, **{"links-1": "zoe.design", "links-2": "linkedin.com/in/zoe"})
    assert response.status_code == 303
    assert db.session.get(Person, me.person_id).links == [
        "https://pasos.example", "https://zoe.design", "https://linkedin.com/in/zoe"]


@pytest.mark.parametrize(("lang", "summary"), [
    ("en", "Your card was not saved: 2 fields need a change."),
    ("es", "Tu tarjeta no se ha guardado: hay que cambiar 2 campos."),
])
def test_a_refused_save_keeps_every_edit_and_leads_with_a_summary(client, event, me, lang,
                                                                   summary):
    response = client.post(f"/e/{event.slug}/me", headers={"Accept-Language": lang},
                           data={**CARD, "language": "", "email": "nope",
                                 "links-1": "not a link"})
    assert response.status_code == 400
    page = response.text
    assert summary in page
    assert page.index(summary) < page.index('<section class="card hero">')
    assert 'href="#links-1"' in page and 'href="#email"' in page
    assert page.index('href="#links-1"') < page.index('href="#email"')  # the form's order
    # The first field in error takes the focus, no script needed; every edit is still there.
    assert page.count("autofocus") == 1
    assert 'autofocus id="links-1"' in page or 'id="links-1"' in page.split("autofocus")[1][:200]
    for value in ("Zapatero", "Pasos Verdes", "Escaparate", "Proveedores", "not a link", "nope"):
        assert f'value="{value}"' in page or f"{value}</textarea>" in page
    assert db.session.get(Person, me.person_id).display_name != "José Núñez"


def test_hostile_text_is_shown_inert(client, event, me, create_attendee):
    hostile = '<script>alert("x")</script>\u202e"quoted"'
    assert save(client, event, language="en", headline=hostile[:120],
                what_i_do="line one\nline two <b>").status_code == 303
    page = client.get(f"/e/{event.slug}/me").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "\u202e" not in page
    other = create_attendee(event)
    client2 = client.application.test_client()
    sign_in_as(client2, other)
    card = client2.get(f"/c/{me.card_code}").text
    assert "&lt;script&gt;" in card and "<b>" not in card


def test_card_edit_needs_csrf(csrf_app, event, create_attendee):
    client = csrf_app.test_client()
    me = create_attendee(event)
    sign_in_as(client, me)
    assert save(client, event).status_code == 400
    token = csrf_token_from(client.get(f"/e/{event.slug}/me").text)
    assert save(client, event, csrf_token=token).status_code == 303


def test_show_my_qr_page_and_png(client, event, me):
    page = client.get(f"/e/{event.slug}/me/qr")
    assert page.status_code == 200 and "<svg" in page.text and me.card_code in page.text
    png = client.get(f"/e/{event.slug}/me/qr.png")
    assert png.headers["Content-Type"] == "image/png"
    assert "attachment" in png.headers["Content-Disposition"]
    assert decode_qr(png.data) == [f"HTTP://LOCALHOST/C/{me.card_code}"]
    # Drawn once and kept: a second request draws nothing new.
    client.get(f"/e/{event.slug}/me/qr")
    assert QrDrawing.query.count() == 1


def test_qr_needs_a_sign_in(client, event):
    assert client.get(f"/e/{event.slug}/me/qr").status_code == 303
    assert client.get(f"/e/{event.slug}/me/qr.png").status_code == 303


def test_qr_version_for_a_30_character_base_url(app):
    from checkin.qr import render

    base = "https://checkin.example.org:80"
    assert len(base) == 30
    version, _svg, png = render(card_payload(base, "0123456789"))
    assert version == 3
    assert decode_qr(png) == [f"{base.upper()}/C/0123456789"]


def test_my_data_is_mine_only(client, event, me, create_attendee, create_connection):
    from checkin.connections.services import write_note

    other = create_attendee(event, first_name="Luis", last_name="Gil")
    connection = create_connection(me, other)
    write_note(me, connection, "my own note")
    write_note(other, connection, "their secret note")
    response = client.get(f"/e/{event.slug}/me/data.json")
    assert response.headers["Content-Type"] == "application/json"
    data = json.loads(response.data)
    assert data["card"]["email"] == me.person.email
    assert data["registration"]["card_code"] == me.card_code
    assert [p["name"] for p in data["people_i_met"]] == ["Luis Gil"]
    assert data["people_i_met"][0]["my_note"] == "my own note"
    assert "their secret note" not in response.text
    assert me.signin_token_hash not in response.text


def test_delete_me(client, event, me, create_attendee, create_connection):
    from checkin.connections.services import write_note

    other = create_attendee(event)
    write_note(me, create_connection(me, other), "note")
    assert "cannot be undone" in client.get(f"/e/{event.slug}/me/delete").text
    me_id, person_id = me.id, me.person_id
    response = client.post(f"/e/{event.slug}/me/delete")
    assert response.status_code == 303
    assert db.session.get(Attendee, me_id) is None and db.session.get(Person, person_id) is None
    assert Connection.query.count() == 0 and Note.query.count() == 0
    assert client.get(f"/e/{event.slug}/me").status_code == 303
    other_client = client.application.test_client()
    sign_in_as(other_client, other)
    assert "No one yet" in other_client.get(f"/e/{event.slug}/met").text


def test_delete_me_keeps_my_card_for_my_other_events(client, event, me, create_event):
    from checkin.people.models import Attendee as A

    person_id = me.person_id
    second = create_event()
    db.session.add(A(event=second, person=me.person, card_code="ZZZZZZZZZZ"))
    db.session.commit()
    client.post(f"/e/{event.slug}/me/delete")
    assert db.session.get(Person, person_id) is not None


def test_delete_needs_a_post_with_csrf(csrf_app, event, create_attendee):
    client = csrf_app.test_client()
    me = create_attendee(event)
    sign_in_as(client, me)
    assert client.post(f"/e/{event.slug}/me/delete").status_code == 400
    assert db.session.get(Attendee, me.id) is not None


def test_sign_out(client, event, me):
    client.post(f"/e/{event.slug}/signout")
    assert client.get(f"/e/{event.slug}/me").status_code == 303


def test_the_footer_language_switch_is_my_language_when_signed_in(client, event, me):
    response = client.post("/lang", data={"lang": "es", "next": f"/e/{event.slug}/me"})
    assert response.status_code == 303
    assert db.session.get(Person, me.person_id).language == "es"  # the emails follow it
    page = client.get(f"/e/{event.slug}/me").text
    assert '<option selected value="es">' in page and "Mi idioma" in page
    # Choosing on the card again is obeyed at once, over the footer's earlier choice.
    assert save(client, event, language="en").status_code == 303
    assert "Card saved." in client.get(f"/e/{event.slug}/me").text
    assert db.session.get(Person, me.person_id).language == "en"


def test_the_footer_language_switch_signed_out_changes_no_one(client, event, create_attendee):
    someone = create_attendee(event)
    assert client.post("/lang", data={"lang": "es", "next": "/"}).status_code == 303
    assert db.session.get(Person, someone.person_id).language is None
