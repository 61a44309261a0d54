"""The card page runs one query for the card, its viewer, our connection and my note (issue 14),
and the sign-in checks it makes are the ones every page makes."""

from checkin.extensions import db
from checkin.people.services import revoke_signin_link
from tests.factories import make_attendee, make_connection, make_event, make_note
from tests.people_helpers import sign_in_as
from tests.statements import statements_run as statements


def test_a_card_page_is_one_query_for_card_viewer_and_connection(client, event):
    ana = make_attendee(event, first_name="Ana", last_name="García", phone="+34 600 000 000",
                        share_phone=True)
    luis = make_attendee(event, first_name="Luis", last_name="Núñez")
    make_note(luis, make_connection(luis, ana), "Knows printers")
    sign_in_as(client, luis)
    path = f"/c/{ana.card_code}"
    with statements() as seen:
        page = client.get(path)
    assert "Ana García" in page.text and "+34 600 000 000" in page.text
    assert "Knows printers" in page.text and "Save contact" in page.text
    assert len(seen) == 1, seen


def test_a_card_page_for_someone_not_yet_met_is_one_query_with_connect(client, event):
    ana, luis = make_attendee(event, phone="+34 600 000 000", share_phone=True), \
        make_attendee(event)
    path = f"/c/{ana.card_code}"
    sign_in_as(client, luis)
    with statements() as seen:
        page = client.get(path)
    assert "Connect" in page.text and "+34 600 000 000" not in page.text
    assert len(seen) == 1, seen


def test_a_card_page_refuses_a_viewer_whose_sign_in_no_longer_holds(client, event):
    ana, luis = make_attendee(event, phone="+34 600 000 000", share_phone=True), \
        make_attendee(event)
    make_connection(luis, ana)
    sign_in_as(client, luis)
    path = f"/c/{ana.card_code}"
    assert "+34 600 000 000" in client.get(path).text
    luis.session_key = "0" * 32  # what revoking his link does
    db.session.commit()
    page = client.get(path)
    assert page.status_code == 200 and "+34 600 000 000" not in page.text
    assert "Connect" not in page.text


def test_a_member_signed_in_at_another_event_sees_the_card_as_themselves(client, owner):
    past, live = make_event(owner, name="Breakfast"), make_event(owner, name="Networking Night")
    ana_past = make_attendee(past, first_name="Ana", email="ana@example.com")
    ana = make_attendee(live, first_name="Ana", email="ana@example.com")
    luis = make_attendee(live, first_name="Luis", last_name="Núñez", email="luis@example.com",
                         phone="+34 600 123 456", share_phone=True)
    make_note(ana, make_connection(ana, luis), "Quedar el jueves")
    sign_in_as(client, ana_past)
    page = client.get(f"/c/{luis.card_code}")
    assert "+34 600 123 456" in page.text and "Quedar el jueves" in page.text
    revoke_signin_link(ana_past)
    page = client.get(f"/c/{luis.card_code}")
    assert "+34 600 123 456" not in page.text and "Quedar el jueves" not in page.text


def test_my_own_card_is_the_preview_in_one_query(client, event):
    ana = make_attendee(event, first_name="Ana", last_name="García")
    path = f"/c/{ana.card_code}"
    sign_in_as(client, ana)
    with statements() as seen:
        page = client.get(path)
    assert "This is your card as others see it." in page.text
    assert len(seen) == 1, seen


def test_an_anonymous_visitor_seeing_the_same_card_again_gets_no_new_cookie(client, event):
    ana = make_attendee(event)
    first = client.get(f"/c/{ana.card_code}")
    assert "Set-Cookie" in first.headers  # remembered, to come back to after signing in
    again = client.get(f"/c/{ana.card_code}")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers


def test_connecting_again_is_one_query_and_says_so(client, event):
    ana = make_attendee(event, first_name="Ana", last_name="García")
    luis = make_attendee(event)
    make_connection(luis, ana)
    path = f"/c/{ana.card_code}"
    sign_in_as(client, luis)
    with statements() as seen:
        response = client.post(path + "/connect")
    assert response.status_code == 303
    assert "You were already connected with Ana García." in client.get(path).text
    assert len(seen) == 1, seen
