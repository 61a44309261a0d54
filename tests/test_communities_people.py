"""One person per community: matched by email wherever attendees are made, one card, and
nothing crosses from one community to another."""

import pytest
from sqlalchemy import func, select

from checkin.communities.services import create_community
from checkin.extensions import db
from checkin.guestlists.services import apply_import
from checkin.people.guests import add_attendee
from checkin.people.models import Attendee, Person
from checkin.people.services import join_as_walk_in, update_card
from tests.factories import make_attendee, make_event, make_organizer


def people_with(email: str) -> list[Person]:
    return list(db.session.scalars(select(Person).filter_by(email=email)))


@pytest.fixture
def two_events(owner):
    """Two events of one community (the owner's), a third in another community."""
    first = make_event(owner, name="March meetup")
    second = make_event(owner, name="April meetup")
    other_owner = make_organizer()
    elsewhere = make_event(other_owner, name="Other group")
    assert first.community_id == second.community_id != elsewhere.community_id
    return first, second, elsewhere


def test_the_same_email_at_a_second_event_is_the_same_person_with_their_card(two_events):
    first, second, _elsewhere = two_events
    ana = make_attendee(first, first_name="Ana", last_name="Gil", email="ana@example.com")
    update_card(ana.person, headline="Bookkeeper", offer="Bookkeeping for shops",
                share_phone=True, phone="+34 600 000 001")
    again = add_attendee(second, first_name="Ana", last_name="Gil", email=" ANA@example.com ",
                         company="Imported Co", headline="Imported title")
    assert again.person_id == ana.person_id and again.id != ana.id
    card = again.person
    assert (card.headline, card.offer, card.phone, card.share_phone) == (
        "Bookkeeper", "Bookkeeping for shops", "+34 600 000 001", True)
    assert card.company == "Imported Co"  # an empty field is filled, nothing overwritten
    assert len(people_with("ana@example.com")) == 1


def test_an_import_into_the_second_event_keeps_what_the_member_wrote(two_events):
    first, second, _elsewhere = two_events
    apply_import(first, b"name,email,company,job title\nAna Gil,ana@example.com,First Co,CEO\n")
    ana = db.session.scalar(select(Person).filter_by(email="ana@example.com"))
    update_card(ana, company="Cuentas Claras", headline="Bookkeeper", what_i_do="Books")
    result = apply_import(second, b"name,email,company,job title,phone\n"
                                  b"Ana Gil,ana@example.com,Other Co,Intern,+34 600 1\n")
    assert result["create"] == 1
    db.session.expire_all()
    [card] = people_with("ana@example.com")
    registrations = db.session.scalars(select(Attendee).filter_by(person_id=card.id)).all()
    assert {a.event_id for a in registrations} == {first.id, second.id}
    assert (card.company, card.headline, card.what_i_do) == ("Cuentas Claras", "Bookkeeper",
                                                            "Books")
    assert card.phone == "+34 600 1"  # the file only fills what the member left empty
    here = next(a for a in registrations if a.event_id == second.id)
    assert "cuentas claras" in here.search_key


def test_the_same_email_in_another_community_is_another_person(two_events):
    first, _second, elsewhere = two_events
    mine = make_attendee(first, first_name="Ana", last_name="Gil", email="ana@example.com")
    update_card(mine.person, offer="Secret plans")
    theirs = make_attendee(elsewhere, first_name="Ana", last_name="Gil", email="ana@example.com")
    apply_import(elsewhere, b"name,email\nAna Gil,ana@example.com\n")
    assert theirs.person_id != mine.person_id
    assert theirs.person.offer == "" and theirs.person.community_id == elsewhere.community_id
    assert len(people_with("ana@example.com")) == 2


def test_two_tickets_for_two_people_at_one_address_stay_two_and_keep_their_cards(two_events):
    first, second, _elsewhere = two_events
    apply_import(first, b"name,email,ticket\nAna Gil,buyer@example.com,T1\n"
                        b"Luis Gil,buyer@example.com,T2\n")
    luis = db.session.scalar(select(Person).filter_by(display_name="Luis Gil"))
    update_card(luis, offer="Shoes")
    assert len(people_with("buyer@example.com")) == 2
    apply_import(second, b"name,email,ticket\nLuis Gil,buyer@example.com,X1\n"
                         b"Ana Gil,buyer@example.com,X2\n")
    by_name = {a.person.display_name: a for a in db.session.scalars(
        select(Attendee).filter_by(event_id=second.id))}
    assert by_name["Luis Gil"].person_id == luis.id and by_name["Luis Gil"].person.offer == "Shoes"
    assert by_name["Ana Gil"].person_id != luis.id
    assert len(people_with("buyer@example.com")) == 2


def test_one_import_never_gives_one_member_two_tickets(two_events):
    first, second, _elsewhere = two_events
    make_attendee(first, first_name="Ana", last_name="Gil", email="buyer@example.com")
    apply_import(second, b"name,email,ticket\nAna Gil,buyer@example.com,X1\n"
                         b"Luis Gil,buyer@example.com,X2\n")
    rows = db.session.scalars(select(Attendee).filter_by(event_id=second.id)).all()
    assert len(rows) == 2 and len({a.person_id for a in rows}) == 2


def test_a_member_who_walks_in_at_the_next_event_is_registered_with_their_card(owner):
    first = make_event(owner)
    second = make_event(owner, walk_ins_allowed=True)
    ana = make_attendee(first, first_name="Ana", last_name="Gil", email="ana@example.com")
    update_card(ana.person, offer="Bookkeeping")
    [attendee] = join_as_walk_in(second, "Ana Gil", "ana@example.com")
    assert attendee.person_id == ana.person_id and attendee.event_id == second.id
    assert attendee.person.offer == "Bookkeeping"


def test_the_join_page_emails_a_member_their_link_and_opens_nothing(client, owner):
    first = make_event(owner)
    second = make_event(owner, walk_ins_allowed=True)
    ana = make_attendee(first, first_name="Ana", last_name="Gil", email="ana@example.com")
    update_card(ana.person, offer="Private until she signs in")
    page = client.post(f"/e/{second.slug}/join",
                       data={"display_name": "Ana Gil", "email": "ana@example.com"})
    assert page.status_code == 200 and "we have sent a link to ana@example.com" in page.text
    assert "Private until she signs in" not in page.text
    assert client.get(f"/e/{second.slug}/me").status_code == 303  # not signed in


def test_editing_the_card_at_any_event_edits_the_one_card(two_events):
    first, second, _elsewhere = two_events
    at_first = make_attendee(first, email="ana@example.com")
    at_second = make_attendee(second, email="ana@example.com")
    update_card(at_second.person, need="A printer")
    db.session.expire_all()
    assert db.session.get(Attendee, at_first.id).person.need == "A printer"
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_an_event_goes_into_a_community_its_owner_owns(owner):
    group = create_community(owner, "Colmena Cowork")
    event = make_event(owner, community=group.slug)
    assert event.community_id == group.id
    stranger_group = create_community(make_organizer(), "Someone else's")
    with pytest.raises(Exception, match="No such community"):
        make_event(owner, community=stranger_group.slug)
