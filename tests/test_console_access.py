"""A console page of an event reads the signed-in organizer, the event and their role in one
statement (issue 14), and every refusal stays what it was: a replaced session key, a role
taken away, another event, a lesser role."""

from sqlalchemy import delete

from checkin.accounts.models import EventRole, Role
from checkin.accounts.services import sign_out_everywhere
from checkin.extensions import db
from tests.conftest import login
from tests.factories import make_event, make_staff
from tests.statements import statements_run


def test_the_organizer_the_event_and_the_role_are_one_statement(client, owner, event):
    login(client, owner)
    live = f"/console/events/{event.slug}/dashboard/live"
    client.get(live)
    with statements_run() as seen:
        assert client.get(live).status_code == 200
    reading_them = [s for s in seen if "organizers" in s or "event_roles" in s]
    assert len(reading_them) == 1, seen
    assert all(table in reading_them[0] for table in ("FROM organizers", "events", "event_roles"))
    assert seen[0] == reading_them[0]  # before anything else asks for the organizer


def test_a_door_volunteer_reaches_the_door_and_not_the_owners_pages(client, event):
    login(client, make_staff(event, Role.DOOR))
    assert client.get(f"/console/events/{event.slug}/door").status_code == 200
    assert client.get(f"/console/events/{event.slug}/door/search?q=a").status_code == 200
    assert client.get(f"/console/events/{event.slug}/dashboard/live").status_code == 404
    assert client.get(f"/console/events/{event.slug}/attendees").status_code == 404


def test_staff_of_one_event_reach_no_other_event(client, event):
    other = make_event()
    login(client, make_staff(event, Role.DOOR))
    assert client.get(f"/console/events/{other.slug}/door").status_code == 404
    assert client.get(f"/console/events/{other.slug}/door/search?q=a").status_code == 404
    assert client.get("/console/events/no-such-event/door").status_code == 404


def test_a_role_taken_away_shows_on_the_next_page(client, event):
    volunteer = make_staff(event, Role.DOOR)
    login(client, volunteer)
    door = f"/console/events/{event.slug}/door"
    assert client.get(door).status_code == 200
    db.session.execute(delete(EventRole).where(EventRole.organizer_id == volunteer.id))
    db.session.commit()
    assert client.get(door).status_code == 404


def test_a_session_whose_key_was_replaced_reaches_no_page_of_the_event(client, event):
    volunteer = make_staff(event, Role.DOOR)
    login(client, volunteer)
    door = f"/console/events/{event.slug}/door"
    assert client.get(door).status_code == 200
    sign_out_everywhere(volunteer)  # e.g. from another browser: this session's key is gone
    page = client.get(door)
    assert page.status_code == 302 and "/console/login" in page.headers["Location"]
    search = client.get(f"{door}/search?q=a")
    assert search.status_code == 401 and search.json["error"]["code"] == "signed_out"
