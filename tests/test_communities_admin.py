"""Owners manage a community from the console and the API; nobody else can, and door staff
stay per event."""

import pytest

from checkin.communities.models import CommunityOwner
from checkin.communities.services import create_community
from checkin.extensions import db
from tests.conftest import login
from tests.factories import make_api_token, make_event, make_organizer, make_staff


def auth(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def group(owner):
    return create_community(owner, "Colmena Cowork")


def test_an_owner_creates_and_changes_a_community_in_the_console(client, owner):
    login(client, owner)
    created = client.post("/console/communities/", data={
        "name": "Asociación Núñez", "slug": "", "default_language": "es"})
    assert created.status_code == 303 and created.headers["Location"].endswith(
        "/console/communities/asociacion-nunez")
    page = client.get("/console/communities/asociacion-nunez")
    assert page.status_code == 200 and "Asociación Núñez" in page.text
    saved = client.post("/console/communities/asociacion-nunez", data={
        "name": "Asociación Núñez", "slug": "nunez", "default_language": "en"})
    assert saved.status_code == 303
    assert client.get("/console/communities/nunez").status_code == 200


def test_a_new_event_joins_the_community_chosen_in_the_form(client, owner, group):
    other = create_community(owner, "Second group")
    login(client, owner)
    form = client.get("/console/events/new")
    assert "Second group" in form.text and "Colmena Cowork" in form.text
    client.post("/console/events/new", data={
        "name": "Tapas night", "starts_at": "2026-12-10T19:00", "ends_at": "2026-12-10T22:00",
        "timezone": "Europe/Madrid", "default_language": "es", "community": other.slug})
    page = client.get(f"/console/communities/{other.slug}")
    assert "Tapas night" in page.text


def test_owners_add_and_remove_owners_and_keep_at_least_one(client, owner, group):
    colleague = make_organizer(email="colleague@example.org")
    login(client, owner)
    added = client.post(f"/console/communities/{group.slug}/owners",
                        data={"email": "Colleague@Example.org"})
    assert added.status_code == 303
    unknown = client.post(f"/console/communities/{group.slug}/owners",
                          data={"email": "nobody@example.org"})
    assert unknown.status_code == 400 and "need a console account" in unknown.text
    client.post(f"/console/communities/{group.slug}/owners/{colleague.id}/remove")
    assert db.session.query(CommunityOwner).filter_by(community_id=group.id).count() == 1
    last = client.post(f"/console/communities/{group.slug}/owners/{owner.id}/remove",
                       follow_redirects=True)
    assert "at least one owner" in last.text


def test_non_owners_and_door_staff_get_nothing(client, owner, group):
    event = make_event(owner, community=group.slug)
    door = make_staff(event)
    stranger = make_organizer()
    for who in (door, stranger):
        login(client, who)
        assert client.get(f"/console/communities/{group.slug}").status_code == 404
        assert client.post(f"/console/communities/{group.slug}",
                           data={"name": "Mine now"}).status_code == 404
        assert client.post(f"/console/communities/{group.slug}/owners",
                           data={"email": who.email}).status_code == 404
        client.post("/console/logout")
    login(client, door)
    assert client.post("/console/communities/", data={
        "name": "Door's own", "default_language": "en"}).status_code == 403
    client.post("/console/logout")
    assert client.get(f"/console/communities/{group.slug}").status_code in (302, 303)


def test_api_lists_creates_reads_and_changes_communities(client, owner, group):
    token = make_api_token(owner)[1]
    listed = client.get("/api/v1/communities", headers=auth(token)).json
    assert [c["slug"] for c in listed["items"]] == [group.slug]
    created = client.post("/api/v1/communities", headers=auth(token),
                          json={"name": "Meetup Python", "default_language": "es"})
    assert created.status_code == 201 and created.json["slug"] == "meetup-python"
    assert created.json["owners"][0]["email"] == owner.email
    changed = client.patch(f"/api/v1/communities/{group.slug}", headers=auth(token),
                           json={"name": "Colmena"})
    assert changed.status_code == 200 and changed.json["name"] == "Colmena"
    event = client.post("/api/v1/events", headers=auth(token), json={
        "name": "Python night", "starts_at": "2026-12-03T19:00:00+01:00",
        "ends_at": "2026-12-03T22:00:00+01:00", "community": "meetup-python"})
    assert event.status_code == 201 and event.json["community"] == "meetup-python"


def test_api_owners_and_refusals(client, owner, group):
    token = make_api_token(owner)[1]
    colleague = make_organizer(email="colleague@example.org")
    added = client.post(f"/api/v1/communities/{group.slug}/owners", headers=auth(token),
                        json={"email": "colleague@example.org"})
    assert added.status_code == 201 and len(added.json["owners"]) == 2
    assert client.delete(f"/api/v1/communities/{group.slug}/owners/{colleague.id}",
                         headers=auth(token)).status_code == 200
    last = client.delete(f"/api/v1/communities/{group.slug}/owners/{owner.id}",
                         headers=auth(token))
    assert last.status_code == 409 and last.json["error"]["code"] == "last_owner"
    stranger_token = make_api_token(make_organizer())[1]
    for method, path in (("get", ""), ("patch", ""), ("post", "/owners")):
        response = getattr(client, method)(f"/api/v1/communities/{group.slug}{path}",
                                           headers=auth(stranger_token), json={"email": "x@y.z"})
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    foreign = client.post("/api/v1/events", headers=auth(stranger_token), json={
        "name": "Sneaky", "starts_at": "2026-12-03T19:00:00+01:00",
        "ends_at": "2026-12-03T22:00:00+01:00", "community": group.slug})
    assert foreign.status_code == 404
    assert client.get("/api/v1/communities").status_code == 401
    taken = client.post("/api/v1/communities", headers=auth(token),
                        json={"name": "X", "slug": group.slug})
    assert taken.status_code == 409


def test_the_openapi_document_describes_communities(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/communities"])
    assert {"get", "patch"} <= set(paths["/communities/{slug}"])
    assert "post" in paths["/communities/{slug}/owners"]
    assert "delete" in paths["/communities/{slug}/owners/{organizer_id}"]
