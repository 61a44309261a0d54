"""A member's community: signed in once for all its events, My events, My network, the
directory, their data and leaving, and nothing of it seen from another community."""

import csv
import io
import json

import pytest
import vobject
from sqlalchemy import select

from checkin.connections.models import Connection, Note
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.people.services import revoke_signin_link, update_card
from tests.factories import (
    make_attendee,
    make_connection,
    make_event,
    make_note,
    make_organizer,
)
from tests.people_helpers import sign_in_as


@pytest.fixture
def cowork(owner):
    """A community with a past event and a live one; Ana and Luis met at both."""
    from datetime import timedelta

    from checkin.columns import now_utc

    past = make_event(owner, name="Breakfast", starts_at=now_utc() - timedelta(days=20))
    live = make_event(owner, name="Networking Night")
    ana_past = make_attendee(past, first_name="Ana", last_name="García", email="ana@example.com")
    luis_past = make_attendee(past, first_name="Luis", last_name="Núñez",
                              email="luis@example.com")
    ana = make_attendee(live, first_name="Ana", last_name="García", email="ana@example.com")
    luis = make_attendee(live, first_name="Luis", last_name="Núñez", email="luis@example.com")
    update_card(luis.person, offer="Suppliers for shoe shops", share_phone=True,
                phone="+34 600 123 456", what_i_do="Zapatería en el centro")
    make_note(ana_past, make_connection(ana_past, luis_past), "Conoce proveedores de calzado")
    make_note(ana, make_connection(ana, luis), "Quedar el jueves en la cafetería")
    return {"past": past, "live": live, "ana": ana, "ana_past": ana_past, "luis": luis,
            "luis_past": luis_past, "community": live.community}


def test_signed_in_at_one_event_opens_the_others_where_registered_without_a_link(
        client, cowork, owner):
    sign_in_as(client, cowork["ana_past"])
    page = client.get(f"/e/{cowork['live'].slug}/me")
    assert page.status_code == 200 and "Networking Night" in page.text
    assert cowork["ana"].card_code in page.text  # her registration here, not the past one
    not_registered = make_event(owner, name="May meetup")
    assert client.get(f"/e/{not_registered.slug}/me").status_code == 303  # to its sign-in page


def test_another_communitys_event_is_never_opened_by_a_sign_in(client, cowork):
    elsewhere = make_event(make_organizer(), name="Other group")
    make_attendee(elsewhere, first_name="Ana", last_name="García", email="ana@example.com")
    sign_in_as(client, cowork["ana"])
    assert client.get(f"/e/{elsewhere.slug}/me").status_code == 303


def test_the_community_sign_in_holds_only_while_the_held_sign_in_does(client, cowork):
    sign_in_as(client, cowork["ana_past"])
    revoke_signin_link(cowork["ana_past"])
    assert client.get(f"/e/{cowork['live'].slug}/me").status_code == 303


def test_revoking_one_registration_signs_out_a_phone_signed_in_through_another(client, cowork):
    # A lost phone, signed in with last month's link: the organizer revokes today's.
    community = cowork["community"].slug
    sign_in_as(client, cowork["ana_past"])
    assert client.get(f"/e/{cowork['live'].slug}/me").status_code == 200
    revoke_signin_link(cowork["ana"])
    for path in (f"/e/{cowork['live'].slug}/me", f"/e/{cowork['past'].slug}/me"):
        assert client.get(path).status_code == 303
    network = client.get(f"/community/{community}/network")
    assert "Quedar el jueves" not in network.text and "Conoce proveedores" not in network.text


def test_signing_out_at_one_event_signs_out_of_the_community(client, cowork):
    sign_in_as(client, cowork["ana_past"])
    client.post(f"/e/{cowork['live'].slug}/signout")
    assert client.get(f"/e/{cowork['past'].slug}/me").status_code == 303


def test_my_events_lists_past_and_upcoming_each_with_its_qr(client, cowork):
    sign_in_as(client, cowork["ana"])
    page = client.get(f"/community/{cowork['community'].slug}/events")
    assert page.status_code == 200
    upcoming, past = page.text.split('id="past"', 1)
    assert "Networking Night" in upcoming and "Breakfast" in past
    for event in (cowork["past"], cowork["live"]):
        assert f"/e/{event.slug}/me/qr" in page.text
        assert client.get(f"/e/{event.slug}/me/qr").status_code == 200


def test_my_network_has_one_entry_per_person_with_both_meetings_and_my_notes(client, cowork):
    sign_in_as(client, cowork["ana"])
    page = client.get(f"/community/{cowork['community'].slug}/network")
    assert page.status_code == 200
    assert page.text.count("Luis Núñez") == 1
    assert "Breakfast" in page.text and "Networking Night" in page.text
    assert "Conoce proveedores de calzado" in page.text
    assert "Quedar el jueves" in page.text
    assert "+34 600 123 456" in page.text  # what he shares with people he met


def test_my_network_search_forgives_accents_and_case_in_notes(client, cowork):
    sign_in_as(client, cowork["ana"])
    url = f"/community/{cowork['community'].slug}/network"
    assert "Luis Núñez" in client.get(url, query_string={"q": "CAFETERIA"}).text
    assert "Luis Núñez" in client.get(url, query_string={"q": "nunez calzado"}).text
    assert "Luis Núñez" not in client.get(url, query_string={"q": "bicicleta"}).text


def test_my_network_sorts_by_name_or_last_met(client, cowork):
    zoe = make_attendee(cowork["past"], first_name="Álvaro", last_name="Zoe",
                        email="alvaro@example.com")
    make_connection(cowork["ana_past"], zoe, at=cowork["past"].starts_at)
    sign_in_as(client, cowork["ana"])
    url = f"/community/{cowork['community'].slug}/network"
    by_last = client.get(url).text
    assert by_last.index("Luis Núñez") < by_last.index("Álvaro Zoe")
    by_name = client.get(url, query_string={"sort": "name"}).text
    assert by_name.index("Álvaro Zoe") < by_name.index("Luis Núñez")


def test_my_network_exports_one_vcf_and_one_csv(client, cowork):
    sign_in_as(client, cowork["ana"])
    base = f"/community/{cowork['community'].slug}/network"
    vcf = client.get(base + ".vcf")
    assert vcf.headers["Content-Type"] == "text/vcard; charset=utf-8"
    cards = list(vobject.readComponents(vcf.get_data(as_text=True)))
    assert [c.fn.value for c in cards] == ["Luis Núñez"]
    assert "Breakfast" in cards[0].note.value and "Quedar el jueves" in cards[0].note.value
    sheet = client.get(base + ".csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(sheet)))
    assert len(rows) == 2 and rows[1][0] == "Luis Núñez"
    assert "Conoce proveedores" in rows[1][9] and "Quedar el jueves" in rows[1][9]


def test_my_network_is_never_someone_elses_notes(client, cowork):
    make_note(cowork["luis"], db.session.scalar(select(Connection).filter_by(
        event_id=cowork["live"].id)), "Luis's private thought")
    sign_in_as(client, cowork["ana"])
    page = client.get(f"/community/{cowork['community'].slug}/network")
    assert "Luis's private thought" not in page.text


def test_member_pages_need_a_member_of_that_community(client, cowork):
    slug = cowork["community"].slug
    for path in ("events", "network", "network.vcf", "network.csv", "directory"):
        page = client.get(f"/community/{slug}/{path}")
        assert page.status_code == 403 and "Luis" not in page.text
    stranger = make_attendee(make_event(make_organizer()), email="luis@example.com")
    sign_in_as(client, stranger)
    for path in ("events", "network", "network.vcf", "network.csv", "directory"):
        page = client.get(f"/community/{slug}/{path}")
        assert page.status_code == 403 and "Luis" not in page.text
    assert client.get("/community/no-such-group/network").status_code == 403


def test_directory_shows_listed_members_public_cards_only(client, cowork):
    luis, ana = cowork["luis"].person, cowork["ana"].person
    update_card(luis, listed=True, share_email=True, links=["https://luis.example.com"])
    hidden = make_attendee(cowork["live"], first_name="Hidden", last_name="Person",
                           email="hidden@example.com")
    update_card(hidden.person, offer="Suppliers for shoe shops")
    sign_in_as(client, cowork["ana"])
    page = client.get(f"/community/{cowork['community'].slug}/directory")
    assert page.status_code == 200
    assert "Luis Núñez" in page.text and "Suppliers for shoe shops" in page.text
    assert "Hidden Person" not in page.text
    for contact in ("luis@example.com", "+34 600 123 456", "luis.example.com"):
        assert contact not in page.text
    assert not ana.listed  # off until she chooses


def test_directory_search_reads_both_languages(client, cowork):
    update_card(cowork["luis"].person, listed=True, offer="Contabilidad para tiendas")
    sign_in_as(client, cowork["ana"])
    url = f"/community/{cowork['community'].slug}/directory"
    assert "Luis Núñez" in client.get(url, query_string={"q": "accounting"}).text
    assert "Luis Núñez" in client.get(url, query_string={"q": "CONTABILIDAD"}).text
    assert "Luis Núñez" not in client.get(url, query_string={"q": "photography"}).text


def test_the_card_page_lets_a_member_choose_to_be_listed(client, cowork):
    sign_in_as(client, cowork["ana"])
    page = client.get(f"/e/{cowork['live'].slug}/me")
    assert "never my contact details" in page.text and 'name="listed"' in page.text
    client.post(f"/e/{cowork['live'].slug}/me", data={
        "display_name": "Ana García", "listed": "y", "language": ""})
    db.session.expire_all()
    assert db.session.get(Person, cowork["ana"].person_id).listed


def test_another_community_sees_nothing_of_this_one_in_its_directory_and_network(
        client, cowork):
    update_card(cowork["luis"].person, listed=True)
    other = make_event(make_organizer(), name="Other group")
    zoe = make_attendee(other, first_name="Zoe", last_name="Evans", email="ana@example.com")
    sign_in_as(client, zoe)
    slug = other.community.slug
    assert "Luis" not in client.get(f"/community/{slug}/directory").text
    assert "Luis" not in client.get(f"/community/{slug}/network").text
    data = client.get(f"/e/{other.slug}/me/data.json").get_json()
    assert [e["event"]["slug"] for e in data["events"]] == [other.slug]


def test_my_data_holds_every_event_of_the_community(client, cowork):
    sign_in_as(client, cowork["ana"])
    data = json.loads(client.get(f"/e/{cowork['live'].slug}/me/data.json").get_data())
    assert data["community"]["slug"] == cowork["community"].slug
    events = {e["event"]["slug"]: e for e in data["events"]}
    assert set(events) == {cowork["past"].slug, cowork["live"].slug}
    assert events[cowork["past"].slug]["people_i_met"][0]["my_note"] == \
        "Conoce proveedores de calzado"
    assert data["event"]["slug"] == cowork["live"].slug  # this event, at the top as before


def test_delete_me_says_what_each_choice_removes(client, cowork):
    sign_in_as(client, cowork["ana"])
    page = client.get(f"/e/{cowork['live'].slug}/me/delete")
    assert "Your card stays" in page.text and "Delete me from the whole community" in page.text


def test_delete_me_from_this_event_keeps_the_card_for_the_other(client, cowork):
    sign_in_as(client, cowork["ana"])
    here, there, card = cowork["ana"].id, cowork["ana_past"].id, cowork["ana"].person_id
    client.post(f"/e/{cowork['live'].slug}/me/delete", data={"scope": "event"})
    db.session.expire_all()
    assert db.session.get(Attendee, here) is None
    assert db.session.get(Person, card) is not None
    assert db.session.get(Attendee, there) is not None


def test_delete_me_from_the_community_removes_everything(client, cowork):
    sign_in_as(client, cowork["ana"])
    person_id = cowork["ana"].person_id
    response = client.post(f"/e/{cowork['live'].slug}/me/delete", data={"scope": "community"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Person, person_id) is None
    assert db.session.scalars(select(Attendee).filter_by(person_id=person_id)).all() == []
    assert db.session.scalars(select(Note)).all() == []
    assert client.get(f"/e/{cowork['past'].slug}/me").status_code == 303
