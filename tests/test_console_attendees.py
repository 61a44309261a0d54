"""Console: the guest list — search, filters, sort, pages; add, edit, remove; sign-in links."""

import re

from checkin.door.services import check_in
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.people.models import Attendee, Person
from checkin.people.services import attendee_for_signin_secret, issue_signin_link
from tests.conftest import login
from tests.factories import make_attendee, make_event, make_organizer


def names(html: str) -> list[str]:
    return re.findall(r'/attendees/\d+">([^<]+)</a>', html)


def test_search_ignores_accents_and_case(client, owner, event):
    make_attendee(event, first_name="Ana", last_name="Núñez", company="Café Ñandú")
    make_attendee(event, first_name="Luis", last_name="Pérez")
    login(client, owner)
    url = f"/console/events/{event.slug}/attendees"
    assert names(client.get(url, query_string={"q": "NUNEZ"}).text) == ["Ana Núñez"]
    assert names(client.get(url, query_string={"q": "cafe nandu"}).text) == ["Ana Núñez"]
    assert names(client.get(url, query_string={"q": "pérez luis"}).text) == ["Luis Pérez"]
    assert "No guest matches." in client.get(url, query_string={"q": "100%_"}).text


def test_filters_and_sort(client, owner, event):
    ana = make_attendee(event, first_name="Ana", last_name="A", ticket_type="VIP")
    make_attendee(event, first_name="Berta", last_name="B", source="walk_in")
    make_attendee(event, first_name="Carla", last_name="C", ticket_type="General")
    check_in(event, ana.card_code, gate="Door 1")
    login(client, owner)
    url = f"/console/events/{event.slug}/attendees"
    assert names(client.get(url, query_string={"checked_in": "yes"}).text) == ["Ana A"]
    assert names(client.get(url, query_string={"checked_in": "no"}).text) == ["Berta B",
                                                                             "Carla C"]
    assert names(client.get(url, query_string={"source": "walk_in"}).text) == ["Berta B"]
    assert names(client.get(url, query_string={"ticket_type": "VIP"}).text) == ["Ana A"]
    assert names(client.get(url, query_string={"invited": "yes"}).text) == []
    assert names(client.get(url, query_string={"sort": "-name"}).text) == ["Carla C", "Berta B",
                                                                          "Ana A"]
    page = client.get(url).text
    assert "Door 1" in page


def test_pagination(client, owner, event):
    for n in range(52):
        make_attendee(event, first_name=f"P{n:02d}", last_name="X")
    login(client, owner)
    url = f"/console/events/{event.slug}/attendees"
    first = client.get(url).text
    assert len(names(first)) == 50 and "Page 1 of 2" in first
    second = client.get(url, query_string={"page": "2"}).text
    assert names(second) == ["P50 X", "P51 X"]
    assert "Page 2 of 2" in client.get(url, query_string={"page": "999"}).text
    assert "Page 1 of 2" in client.get(url, query_string={"page": "x"}).text


def test_add_edit_and_attention_note(client, owner, event):
    login(client, owner)
    response = client.post(f"/console/events/{event.slug}/attendees/new", data={
        "first_name": "Ana", "last_name": "Núñez", "email": "Ana@Example.org",
        "ticket_code": "T-1", "attention_note": "VIP: take to the stage"})
    assert response.status_code == 303
    ana = db.session.query(Attendee).one()
    assert ana.person.email == "ana@example.org" and ana.source == "manual"
    assert ana.attention_note == "VIP: take to the stage"
    dup = client.post(f"/console/events/{event.slug}/attendees/new", data={
        "first_name": "Otro", "ticket_code": "T-1"})
    assert dup.status_code == 400 and "Another guest has this ticket code." in dup.text
    nameless = client.post(f"/console/events/{event.slug}/attendees/new", data={"email": "a@b.org"})
    assert nameless.status_code == 400 and "A name is needed." in nameless.text
    edit_url = f"/console/events/{event.slug}/attendees/{ana.id}"
    assert "VIP: take to the stage" in client.get(edit_url).text
    client.post(edit_url, data={"first_name": "Ana", "last_name": "Núñez Gil",
                                "email": "ana@example.org", "company": "Acme",
                                "attention_note": ""})
    db.session.refresh(ana)
    assert ana.person.display_name == "Ana Núñez Gil" and ana.person.company == "Acme"
    assert ana.attention_note == "" and "acme" in ana.search_key
    assert db.session.query(Attendee).count() == 1


def test_reissue_emails_the_new_link_and_never_shows_it(client, owner, event):
    ana = make_attendee(event)
    old = issue_signin_link(ana)
    login(client, owner)
    base = f"/console/events/{event.slug}/attendees/{ana.id}"
    page = client.post(f"{base}/new-link", data={"confirmed": "yes"}, follow_redirects=True,
                       buffered=True)
    assert f"A new sign-in link was emailed to {ana.person.email}" in page.text
    assert "/s/" not in page.text
    assert attendee_for_signin_secret(old) is None
    message = OutboxMessage.query.filter_by(kind="invitation").one()
    link = re.search(r"http://localhost/s/([A-Za-z0-9_-]+)", message.text_body).group(1)
    assert message.to_address == ana.person.email
    assert attendee_for_signin_secret(link).id == ana.id
    client.post(f"{base}/revoke-link", data={"confirmed": "yes"})
    assert attendee_for_signin_secret(link) is None
    assert "no working sign-in link" in client.get(base).text


def test_a_new_link_for_a_guest_without_an_address_changes_nothing(client, owner, event):
    ana = make_attendee(event, email="")
    old = issue_signin_link(ana)
    login(client, owner)
    refused = client.post(f"/console/events/{event.slug}/attendees/{ana.id}/new-link",
                          data={"confirmed": "yes"})
    assert refused.status_code == 409 and "This attendee has no email address." in refused.text
    db.session.expire_all()
    assert attendee_for_signin_secret(old).id == ana.id  # the guest's phone stays signed in


def test_remove_takes_the_guest_and_their_person_away(client, owner, event):
    ana = make_attendee(event)
    check_in(event, ana.card_code)
    person_id = ana.person_id
    login(client, owner)
    response = client.post(f"/console/events/{event.slug}/attendees/{ana.id}/remove",
                           data={"confirmed": "yes"})
    assert response.status_code == 303
    assert db.session.query(Attendee).count() == 0
    assert db.session.get(Person, person_id) is None


def test_another_events_guest_is_404(client, owner, event):
    other = make_event(make_organizer())
    stranger = make_attendee(other)
    mine_elsewhere = make_attendee(make_event(owner))
    login(client, owner)
    for attendee in (stranger, mine_elsewhere):
        base = f"/console/events/{event.slug}/attendees/{attendee.id}"
        assert client.get(base).status_code == 404
        assert client.post(f"{base}/remove").status_code == 404
    assert client.post(f"/console/events/{event.slug}/attendees/{mine_elsewhere.id}/nope"
                       ).status_code == 404
    assert db.session.query(Attendee).count() == 2


READING_ORDER = ["Álvaro Gil", "ana Díaz", "Ángela Ruiz", "Bruno Sanz", "Óscar Peña",
                 "Zoe Evans"]


def test_names_sort_as_people_read_them(client, owner, event):
    for name, company in [("Zoe Evans", "zeta"), ("Bruno Sanz", "Ébano"), ("Álvaro Gil", "Acme"),
                          ("Óscar Peña", "órbita"), ("ana Díaz", "Beta"),
                          ("Ángela Ruiz", "Ñandú")]:
        first, last = name.split()
        make_attendee(event, first_name=first, last_name=last, company=company)
    login(client, owner)
    url = f"/console/events/{event.slug}/attendees"
    assert names(client.get(url).text) == READING_ORDER
    assert names(client.get(url, query_string={"sort": "-name"}).text) == READING_ORDER[::-1]
    assert names(client.get(url, query_string={"sort": "company"}).text) == [
        "Álvaro Gil", "ana Díaz", "Bruno Sanz", "Ángela Ruiz", "Óscar Peña", "Zoe Evans"]


def test_a_renamed_or_imported_guest_sorts_by_the_new_name(client, owner, event):
    from checkin.guestlists.services import apply_import
    from checkin.people.guests import update_attendee

    zoe = make_attendee(event, first_name="Zoe", last_name="Evans")
    make_attendee(event, first_name="Bruno", last_name="Sanz")
    apply_import(event, "name,email\nÁlvaro Gil,alvaro@example.org\nÓscar Peña,o@example.org\n"
                 .encode())
    update_attendee(zoe, first_name="Ángela", last_name="Ruiz", display_name="")
    login(client, owner)
    assert names(client.get(f"/console/events/{event.slug}/attendees").text) == [
        "Álvaro Gil", "Ángela Ruiz", "Bruno Sanz", "Óscar Peña"]
