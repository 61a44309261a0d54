"""Console: creating, editing, opening and closing an event; the overview's links."""

import re

from sqlalchemy import func, select

from checkin.events.models import Event
from checkin.extensions import db
from tests.conftest import csrf_token_from, login
from tests.factories import make_event, make_organizer, make_staff

EVENT_FORM = {
    "name": "Café Networking", "slug": "", "starts_at": "2026-12-03T19:00",
    "ends_at": "2026-12-03T22:00", "timezone": "Europe/Madrid", "venue": "La Nave",
    "default_language": "es", "walk_ins_allowed": "y",
}


def test_organizer_creates_an_event_in_its_time_zone(client, owner):
    login(client, owner)
    response = client.post("/console/events/new", data=EVENT_FORM)
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/events/cafe-networking"
    event = db.session.query(Event).filter_by(slug="cafe-networking").one()
    assert event.starts_at.isoformat() == "2026-12-03T18:00:00+00:00"  # 19:00 in Madrid
    assert event.state == "draft" and event.walk_ins_allowed and event.default_language == "es"
    page = client.get("/console/events/cafe-networking")
    assert "Café Networking" in page.text and "2026-12-03 19:00" in page.text
    assert "Open the event" in page.text


def test_new_event_form_shows_field_errors(client, owner):
    login(client, owner)
    bad = {**EVENT_FORM, "ends_at": "2026-12-03T18:00", "slug": "Bad Slug"}
    response = client.post("/console/events/new", data=bad)
    assert response.status_code == 400
    assert "Use only a-z, 0-9 and single hyphens." in response.text
    make_event(owner, slug="taken")
    response = client.post("/console/events/new", data={**EVENT_FORM, "slug": "taken"})
    assert response.status_code == 400
    assert "Another event already uses this web address." in response.text
    response = client.post("/console/events/new", data={**EVENT_FORM,
                                                         "ends_at": "2026-12-03T18:00"})
    assert "The event must end after it starts." in response.text
    assert db.session.query(Event).count() == 1


def test_new_event_page_speaks_spanish(client, owner):
    login(client, owner)
    page = client.get("/console/events/new", headers={"Accept-Language": "es"})
    assert "Nuevo evento" in page.text and "Zona horaria" in page.text


def test_overview_links_every_console_page_by_path(client, owner, event):
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}")
    base = f"/console/events/{event.slug}"
    for path in ("/edit", "/attendees", "/import", "/invitations", "/staff", "/door",
                 "/dashboard", "/badges", "/followups", "/outbox", "/summary",
                 "/exports/attendees.csv", "/exports/connections.csv"):
        assert f'href="{base}{path}"' in page.text, path


def test_edit_event_keeps_the_slug_once_open(client, owner):
    event = make_event(owner, state="draft", slug="draft-one")
    login(client, owner)
    form = {**EVENT_FORM, "name": "Renamed", "slug": "new-slug"}
    assert client.post("/console/events/draft-one/edit", data=form).status_code == 303
    event = db.session.get(Event, event.id)
    assert (event.name, event.slug) == ("Renamed", "new-slug")
    client.post("/console/events/new-slug/open")
    response = client.post("/console/events/new-slug/edit", data={**form, "slug": "again"})
    assert response.status_code == 400
    assert "cannot change once the event is open" in response.text
    assert db.session.get(Event, event.id).slug == "new-slug"


def test_edit_form_shows_local_times(client, owner):
    event = make_event(owner)
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/edit")
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Madrid"))
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in page.text


def test_open_and_close(client, owner):
    event = make_event(owner, state="draft")
    login(client, owner)
    client.post(f"/console/events/{event.slug}/open")
    assert db.session.get(Event, event.id).state == "open"
    client.post(f"/console/events/{event.slug}/close", data={"confirmed": "yes"})
    assert "The event is closed" in client.get(f"/console/events/{event.slug}").text
    assert db.session.get(Event, event.id).state == "closed"
    client.post(f"/console/events/{event.slug}/open")
    assert "This event is closed." in client.get(f"/console/events/{event.slug}").text
    assert db.session.get(Event, event.id).state == "closed"


def test_state_changes_need_csrf(csrf_app, client, owner):
    event = make_event(owner, state="draft")
    home = client.get("/console/login")
    client.post("/console/login", data={"email": owner.email, "password": "correct horse battery",
                                        "csrf_token": csrf_token_from(home.text)})
    assert client.post(f"/console/events/{event.slug}/open").status_code == 400
    assert db.session.get(Event, event.id).state == "draft"
    page = client.get(f"/console/events/{event.slug}")
    token = csrf_token_from(page.text)
    client.post(f"/console/events/{event.slug}/open", data={"csrf_token": token})
    assert db.session.get(Event, event.id).state == "open"


def test_other_organizers_and_door_staff_get_404(client, owner, event):
    stranger = make_organizer()
    login(client, stranger)
    for path in ("", "/edit"):
        assert client.get(f"/console/events/{event.slug}{path}").status_code == 404
    assert client.post(f"/console/events/{event.slug}/close").status_code == 404
    assert db.session.get(Event, event.id).state == "open"
    client.post("/console/logout")
    door = make_staff(event)
    login(client, door)
    assert client.get(f"/console/events/{event.slug}").status_code == 404
    home = client.get("/console/")
    assert f'href="/console/events/{event.slug}/door"' in home.text


def test_home_links_owned_events_to_their_overview(client, owner, event):
    login(client, owner)
    home = client.get("/console/")
    assert re.search(rf'href="/console/events/{event.slug}"', home.text)
    assert 'href="/console/events/new"' in home.text


def test_door_staff_home_offers_only_what_they_can_use(client, owner, event):
    door = make_staff(event)
    login(client, door)
    home = client.get("/console/")
    assert f'href="/console/events/{event.slug}/door"' in home.text
    assert 'href="/console/events/new"' not in home.text
    assert 'href="/console/tokens"' not in home.text
    refused = client.post("/console/events/new", data={
        "name": "Mine", "starts_at": "2030-01-01T19:00", "ends_at": "2030-01-01T22:00",
        "timezone": "Europe/Madrid", "default_language": "en"})
    assert refused.status_code == 403
    assert client.get("/console/tokens").status_code == 403
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_door_staff_see_the_refusal_in_their_language(client, owner, event):
    login(client, make_staff(event))
    client.post("/lang", data={"lang": "es", "next": "/console/"})
    assert "El personal de puerta trabaja en la puerta" in client.get("/console/tokens").text


def test_an_organizer_with_no_event_yet_may_create_one(client):
    login(client, make_organizer())
    home = client.get("/console/")
    assert 'href="/console/events/new"' in home.text and 'href="/console/tokens"' in home.text
    assert client.get("/console/events/new").status_code == 200
