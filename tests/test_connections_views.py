"""Exchanging cards: the card page, Connect, notes, People I met, vCards and CSV."""

import csv
import io

import pytest
import vobject

from checkin.connections.models import Connection, Note
from checkin.connections.services import write_note
from checkin.extensions import db
from tests.conftest import csrf_token_from, login
from tests.people_helpers import sign_in_as


@pytest.fixture
def ana(event, create_attendee):
    return create_attendee(event, first_name="Ana", last_name="García", email="ana@example.com",
                           headline="Diseñadora", company="Estudio Norte", offer="Logotipos",
                           need="Una imprenta", phone="+34 600 111 222", share_phone=True,
                           links=["https://ana.example"])


@pytest.fixture
def luis(client, event, create_attendee):
    luis = create_attendee(event, first_name="Luis", last_name="Núñez", email="luis@example.com")
    sign_in_as(client, luis)
    return luis


def test_anonymous_sees_the_public_card_only(client, event, ana):
    page = client.get(f"/c/{ana.card_code}")
    assert page.status_code == 200
    assert "Ana García" in page.text and "Logotipos" in page.text and "Diseñadora" in page.text
    assert "ana@example.com" not in page.text and "600 111 222" not in page.text
    assert "ana.example" not in page.text
    assert f"/e/{event.slug}" in page.text and ">Connect<" not in page.text
    assert "<script" not in page.text  # the card page needs no JavaScript


def test_upper_case_url_and_typed_look_alikes_open_the_card(client, ana):
    assert client.get(f"/C/{ana.card_code}").status_code == 200
    assert client.get(f"/c/{ana.card_code.lower()}").status_code == 200


def test_unknown_card_is_404(client):
    response = client.get("/c/0000000000", headers={"Accept-Language": "es"})
    assert response.status_code == 404 and "Ninguna tarjeta tiene este código." in response.text


def test_connect_then_see_contact_details(client, event, ana, luis):
    page = client.get(f"/c/{ana.card_code}")
    assert ">Connect<" in page.text and "ana@example.com" not in page.text
    response = client.post(f"/c/{ana.card_code}/connect")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/c/{ana.card_code}#note"
    page = client.get(f"/c/{ana.card_code}")
    assert "You and Ana García are connected." in page.text
    assert "ana@example.com" in page.text and "+34 600 111 222" in page.text
    assert 'href="https://ana.example"' in page.text and "Save contact" in page.text
    connection = Connection.query.one()
    assert connection.scanned_by_id == luis.id


def test_connect_is_idempotent_both_ways(app, client, event, ana, luis):
    client.post(f"/c/{ana.card_code}/connect")
    client.post(f"/c/{ana.card_code}/connect")
    other = app.test_client()
    sign_in_as(other, ana)
    other.post(f"/c/{luis.card_code}/connect")
    assert Connection.query.count() == 1
    assert "already connected" in other.get(f"/c/{luis.card_code}").text


def test_connect_needs_a_sign_in(client, ana):
    response = client.post(f"/c/{ana.card_code}/connect")
    assert response.status_code == 403
    assert Connection.query.count() == 0


def test_connect_needs_csrf(csrf_app, event, ana, create_attendee):
    client = csrf_app.test_client()
    sign_in_as(client, create_attendee(event))
    assert client.post(f"/c/{ana.card_code}/connect").status_code == 400
    bad = client.post(f"/c/{ana.card_code}/connect", data={"csrf_token": "forged"})
    assert bad.status_code == 400
    assert Connection.query.count() == 0
    token = csrf_token_from(client.get(f"/c/{ana.card_code}").text)
    ok = client.post(f"/c/{ana.card_code}/connect", data={"csrf_token": token})
    assert ok.status_code == 303 and Connection.query.count() == 1


def test_connect_is_never_a_get(client, ana, luis):
    assert client.get(f"/c/{ana.card_code}/connect").status_code == 405


def test_own_card_cannot_connect(client, event, luis):
    assert client.post(f"/c/{luis.card_code}/connect").status_code == 400
    assert Connection.query.count() == 0


def test_card_of_another_event_answers_clearly(client, create_event, create_attendee, luis):
    stranger = create_attendee(create_event(name="Other Party"))
    page = client.get(f"/c/{stranger.card_code}")
    assert "This card belongs to another event: Other Party." in page.text
    response = client.post(f"/c/{stranger.card_code}/connect")
    assert response.status_code == 404 and Connection.query.count() == 0


def test_closed_event_takes_no_new_connections(client, create_event, create_attendee):
    from checkin.events.services import close_event

    event = create_event()
    a, b = create_attendee(event), create_attendee(event)
    sign_in_as(client, a)
    close_event(event)
    assert ">Connect<" not in client.get(f"/c/{b.card_code}").text
    assert client.post(f"/c/{b.card_code}/connect").status_code == 409
    refused = client.post(f"/c/{b.card_code}/connect", headers={"Accept-Language": "es"})
    assert "Este evento está cerrado" in refused.text


def test_note_is_private_to_its_author(app, client, event, ana, luis, owner):
    client.post(f"/c/{ana.card_code}/connect")
    response = client.post(f"/c/{ana.card_code}/note", data={"text": "knows shoe suppliers"})
    assert response.status_code == 303
    assert "knows shoe suppliers" in client.get(f"/c/{ana.card_code}").text
    assert "knows shoe suppliers" in client.get(f"/e/{event.slug}/met").text
    other = app.test_client()
    sign_in_as(other, ana)
    assert "knows shoe suppliers" not in other.get(f"/c/{luis.card_code}").text
    assert "knows shoe suppliers" not in other.get(f"/e/{event.slug}/met").text
    assert "knows shoe suppliers" not in other.get(f"/e/{event.slug}/met.vcf").text
    assert "knows shoe suppliers" not in other.get(f"/e/{event.slug}/met.csv").text
    assert "knows shoe suppliers" not in other.get(f"/e/{event.slug}/me/data.json").text
    organizer = app.test_client()
    login(organizer, owner)
    for path in (f"/c/{ana.card_code}", f"/c/{luis.card_code}", f"/e/{event.slug}/met"):
        assert "knows shoe suppliers" not in organizer.get(path).text


def test_note_refusals(client, event, ana, luis, create_attendee):
    assert client.post(f"/c/{ana.card_code}/note", data={"text": "x"}).status_code == 404
    client.post(f"/c/{ana.card_code}/connect")
    too_long = client.post(f"/c/{ana.card_code}/note", data={"text": "x" * 2001})
    assert too_long.status_code == 400 and Note.query.count() == 0
    anonymous = client.application.test_client()
    assert anonymous.post(f"/c/{ana.card_code}/note", data={"text": "x"}).status_code == 403


def test_note_redirect_stays_on_site(client, ana, luis):
    client.post(f"/c/{ana.card_code}/connect")
    response = client.post(f"/c/{ana.card_code}/note",
                           data={"text": "hi", "next": "//evil.example/"})
    assert response.headers["Location"] == f"/c/{ana.card_code}"


def test_people_i_met_both_sides_newest_first_and_search(app, client, event, ana, luis,
                                                        create_attendee):
    client.post(f"/c/{ana.card_code}/connect")
    bea = create_attendee(event, first_name="Beatriz", last_name="Ruiz", offer="Pan de masa madre")
    client.post(f"/c/{bea.card_code}/connect")
    page = client.get(f"/e/{event.slug}/met").text.split('class="list met"')[1]
    assert page.index("Beatriz Ruiz") < page.index("Ana García")
    assert "Beatriz" not in client.get(f"/e/{event.slug}/met?q=garcia").text
    assert "Ana García" in client.get(f"/e/{event.slug}/met?q=GARCÍA").text
    assert "Beatriz Ruiz" in client.get(f"/e/{event.slug}/met?q=masa").text
    assert "No one matches" in client.get(f"/e/{event.slug}/met?q=100%25").text
    other = app.test_client()
    sign_in_as(other, ana)
    assert "Luis Núñez" in other.get(f"/e/{event.slug}/met").text


def test_people_i_met_search_forgives_accents_in_every_field(client, event, ana, luis,
                                                             create_attendee):
    bea = create_attendee(event, first_name="Beatriz", last_name="Ruiz", headline="Panadera",
                          company="Horno Ñandú", offer="Pan de masa madre",
                          need="Distribución en cafeterías")
    client.post(f"/c/{ana.card_code}/connect")
    client.post(f"/c/{bea.card_code}/connect")
    noted = client.post(f"/c/{ana.card_code}/note", data={"text": "Conoce zapaterías del centro"})
    assert noted.status_code == 303, noted.text

    def found(query):
        page = client.get(f"/e/{event.slug}/met", query_string={"q": query}).text
        page = page.split('class="list met"')[1] if 'class="list met"' in page else ""
        return [name for name in ("Ana García", "Beatriz Ruiz") if name in page]

    assert found("zapaterias") == ["Ana García"]  # my note
    assert found("ZAPATERÍAS centro") == ["Ana García"]
    assert found("nandu") == ["Beatriz Ruiz"]  # company
    assert found("distribucion") == ["Beatriz Ruiz"]  # need
    assert found("panadera masa") == ["Beatriz Ruiz"]  # headline and offer together
    assert found("cafeterias zapaterias") == []


def test_people_i_met_needs_a_sign_in(client, event):
    for path in ("met", "met.vcf", "met.csv"):
        assert client.get(f"/e/{event.slug}/{path}").status_code == 303


def test_save_contact_vcard(client, event, ana, luis):
    assert client.get(f"/c/{ana.card_code}/vcard").status_code == 404
    client.post(f"/c/{ana.card_code}/connect")
    client.post(f"/c/{ana.card_code}/note", data={"text": "Call her"})
    response = client.get(f"/c/{ana.card_code}/vcard")
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"ana-garcia.vcf\"; filename*=UTF-8''Ana%20Garc%C3%ADa.vcf")
    card = vobject.readOne(response.data.decode())
    assert card.fn.value == "Ana García" and card.email.value == "ana@example.com"
    assert card.tel.value == "+34 600 111 222"
    assert f"Met at {event.name}" in card.note.value and "Call her" in card.note.value


def test_save_all_vcf_and_csv(client, event, ana, luis, create_attendee):
    formula = create_attendee(event, display_name="=HYPERLINK(\"x\")", email="f@example.com",
                              share_email=False)
    client.post(f"/c/{ana.card_code}/connect")
    client.post(f"/c/{formula.card_code}/connect")
    vcf = client.get(f"/e/{event.slug}/met.vcf")
    cards = list(vobject.readComponents(vcf.data.decode()))
    assert sorted(c.fn.value for c in cards) == sorted(["Ana García", '=HYPERLINK("x")'])
    assert "f@example.com" not in vcf.text
    response = client.get(f"/e/{event.slug}/met.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_name = {r["Name"]: r for r in rows}
    assert by_name["Ana García"]["Email"] == "ana@example.com"
    assert "'=HYPERLINK(\"x\")" in by_name
    assert by_name["'=HYPERLINK(\"x\")"]["Email"] == ""


def test_people_i_met_csv_speaks_the_readers_language(client, event, ana, luis):
    """People read this file (machines read the organizer's exports): headers in words, in the
    attendee's language, the same columns as the follow-up's contacts.csv."""
    luis.person.language = "es"
    db.session.commit()
    client.post(f"/c/{ana.card_code}/connect")
    text = client.get(f"/e/{event.slug}/met.csv").data.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header == ("Nombre,Titular,Empresa,Correo electrónico,Teléfono,Enlaces,"
                      "A qué se dedica,Ofrece,Necesita,Mi nota,Nos conocimos")
    assert "_" not in header


def test_notes_of_others_never_in_my_exports(app, client, event, ana, luis):
    client.post(f"/c/{ana.card_code}/connect")
    connection = Connection.query.one()
    write_note(ana, connection, "ana private")
    assert "ana private" not in client.get(f"/e/{event.slug}/met.csv").text
    assert "ana private" not in client.get(f"/c/{ana.card_code}/vcard").text


def test_scan_page_and_typed_code(client, ana):
    page = client.get("/scan")
    assert page.status_code == 200 and 'id="scanner-video"' in page.text
    assert "playsinline" in page.text and "js/scanner.js" in page.text
    response = client.get(f"/scan?code={ana.card_code.lower()}")
    assert response.status_code == 303 and response.headers["Location"] == f"/c/{ana.card_code}"
    bad = client.get("/scan?code=hello")
    assert bad.status_code == 400 and "10 letters and digits" in bad.text


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "No card has the code 23456789AB."),
    ("es", "Ninguna tarjeta tiene el código 23456789AB."),
])
def test_an_unknown_card_code_stays_in_the_scanner(client, event, luis, lang, message):
    page = client.get("/scan?code=23456789ab", headers={"Accept-Language": lang})
    assert page.status_code == 400
    assert message in page.text and 'id="scanner-video"' in page.text
    assert 'value="23456789ab"' in page.text  # what was read, there to correct


def test_the_scanner_has_the_attendee_navigation(client, event, luis):
    nav = client.get("/scan").text.split('<nav class="nav"')[1].split("</nav>")[0]
    assert f'href="/e/{event.slug}/me"' in nav and f'href="/e/{event.slug}/met"' in nav
    assert 'href="/scan"' in nav
    anonymous = client.application.test_client()
    assert '<nav class="nav"' not in anonymous.get("/scan").text


@pytest.mark.parametrize(("lang", "banner", "shared"), [
    ("en", "This is your card as others see it.", "People you connect with also receive"),
    ("es", "Así ven tu tarjeta los demás.", "Las personas con las que conectes también reciben"),
])
def test_my_own_card_is_a_preview_of_what_others_see(client, event, ana, lang, banner, shared):
    sign_in_as(client, ana)
    me = client.get(f"/e/{event.slug}/me", headers={"Accept-Language": lang}).text
    assert f'href="/c/{ana.card_code}"' in me
    page = client.get(f"/c/{ana.card_code}", headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert banner in page.text and shared in page.text
    assert "Logotipos" in page.text and "Diseñadora" in page.text  # the public card
    assert "600 111 222" in page.text and "ana.example" in page.text  # what she shares
    assert 'action="/c/' not in page.text  # no Connect with myself, no note


def test_after_the_event_notes_are_read_only(client, event, ana, luis):
    from checkin.events.services import close_event

    client.post(f"/c/{ana.card_code}/connect")
    client.post(f"/c/{ana.card_code}/note", data={"text": "Call her"})
    close_event(event)
    for path in (f"/c/{ana.card_code}", f"/e/{event.slug}/met"):
        page = client.get(path).text
        assert "Call her" in page and "<textarea" not in page
    assert client.post(f"/c/{ana.card_code}/note", data={"text": "x"}).status_code == 409


def test_connecting_faster_than_people_meet_is_slowed(client, event, luis, create_attendee):
    """A phone that connects with every code it finds is stopped at a human pace."""
    cards = [create_attendee(event, first_name=f"Guest{n}", email=f"g{n}@example.com",
                             share_phone=True, phone=f"+34 600 000 {n:03d}") for n in range(12)]
    answers = [client.post(f"/c/{card.card_code}/connect").status_code for card in cards]
    assert answers[:10] == [303] * 10
    assert answers[10:] == [429, 429]
    refused = client.get(f"/c/{cards[11].card_code}")
    assert "+34 600 000 011" not in refused.text  # no details without a connection
    assert Connection.query.count() == 10
    # Connecting again with someone already met is not a new connection: still allowed.
    assert client.post(f"/c/{cards[0].card_code}/connect").status_code == 303


def test_connecting_too_fast_answers_in_spanish(client, event, luis, create_attendee):
    for n in range(10):
        card = create_attendee(event, first_name=f"G{n}", email=f"s{n}@example.com")
        client.post(f"/c/{card.card_code}/connect")
    card = create_attendee(event, first_name="Once", email="once@example.com")
    refused = client.post(f"/c/{card.card_code}/connect", headers={"Accept-Language": "es"})
    assert refused.status_code == 429
    assert "Estás conectando más rápido de lo que se conoce a la gente." in refused.text


def test_removing_someone_i_do_not_recognise(app, client, event, ana, luis, create_connection):
    """Ana finds a harvester (Luis) in her list: she removes him; he loses her details,
    cannot connect again, and neither sees the other in People I met."""
    create_connection(luis, ana)
    client.post("/lang", data={"lang": "en", "next": "/"})
    harvester = app.test_client()
    sign_in_as(harvester, luis)
    assert "ana@example.com" in harvester.get(f"/c/{ana.card_code}").text
    sign_in_as(client, ana)
    page = client.get(f"/c/{luis.card_code}")
    assert "Don't recognise Luis Núñez?" in page.text
    response = client.post(f"/c/{luis.card_code}/remove")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/e/{event.slug}/met"
    met = client.get(f"/e/{event.slug}/met")
    assert "Luis Núñez is no longer in People I met" in met.text
    assert Connection.query.count() == 0 and Note.query.count() == 0
    card = harvester.get(f"/c/{ana.card_code}")
    assert "ana@example.com" not in card.text and "600 111 222" not in card.text
    assert "Ana García" not in harvester.get(f"/e/{event.slug}/met").text
    again = harvester.post(f"/c/{ana.card_code}/connect")
    assert again.status_code == 403 and "You cannot connect with this card." in again.text
    assert Connection.query.count() == 0


def test_the_remover_can_change_her_mind(client, event, ana, luis, create_connection):
    create_connection(luis, ana)
    sign_in_as(client, ana)
    client.post(f"/c/{luis.card_code}/remove")
    assert client.post(f"/c/{luis.card_code}/connect").status_code == 303
    assert Connection.query.count() == 1


def test_remove_refusals(app, client, event, ana, luis, create_attendee):
    assert client.post(f"/c/{ana.card_code}/remove").status_code == 404  # not connected
    assert client.get(f"/c/{ana.card_code}/remove").status_code == 405  # never a GET
    anonymous = app.test_client()
    assert anonymous.post(f"/c/{ana.card_code}/remove").status_code == 403
