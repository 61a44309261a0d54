"""Malformed input from any client: a 4xx with a clear message, never a 500, and every redirect
after a form stays on this site."""

import pytest

from checkin.inputs import MAX_ID
from tests.conftest import login
from tests.factories import PASSWORD, make_api_token, make_attendee, make_connection
from tests.people_helpers import sign_in_as

TOO_BIG = 10**20  # 20 digits: more than any database integer holds
PG_TOO_BIG = 2**31  # fine for SQLite, out of range for a PostgreSQL integer


def test_every_route_with_an_id_answers_404_for_an_id_too_large(app, client, owner, event):
    login(client, owner)
    slug = event.slug
    answers = {}
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items()
               if type(converter).__name__ == "IdConverter"]
        if not ids:
            continue
        values = {name: TOO_BIG if name in ids else slug if name == "slug" else "x"
                  for name in rule.arguments}
        path = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            with client.open(path, method=method) as response:
                answers[method, path] = response.status_code
    console = {key: code for key, code in answers.items() if key[1].startswith("/console/")}
    assert len(console) >= 8
    assert set(console.values()) == {404}, console
    assert all(code < 500 for code in answers.values()), answers


def test_the_largest_id_is_still_a_route_and_one_more_is_none(client, owner, event):
    login(client, owner)
    for number in (MAX_ID, PG_TOO_BIG):
        with client.get(f"/console/events/{event.slug}/attendees/{number}") as response:
            assert response.status_code == 404  # no such guest


@pytest.mark.parametrize("query", [
    "outbox?page={n}", "followups?attendee={n}", "badges?id={n}", "badges?batch={n}",
    "dashboard?page={n}"])
def test_numbers_too_large_in_a_query_are_no_crash(client, owner, event, query):
    make_attendee(event)
    login(client, owner)
    for number in (TOO_BIG, PG_TOO_BIG):
        with client.get(f"/console/events/{event.slug}/{query.format(n=number)}") as response:
            assert response.status_code in (200, 404)


def test_json_nested_too_deeply_is_a_400(client, owner, event):
    token = make_api_token(owner)[1]
    deep = "[" * 100_000 + "]" * 100_000
    api = client.post(f"/api/v1/events/{event.slug}/checkins", data=deep,
                      content_type="application/json",
                      headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 400 and api.json["error"]["code"] == "bad_json"
    login(client, owner)
    door = client.post(f"/console/events/{event.slug}/door/scans", data=deep,
                       content_type="application/json")
    assert door.status_code == 400


# A browser drops tabs and newlines inside a URL: "/\t/evil.example" is "//evil.example".
CONTROL_TARGETS = ["/\t/evil.example", "/\r\n/evil.example", "/\n/evil.example", "/\x00/x",
                   "/console/\x1b[2J"]


@pytest.mark.parametrize("target", CONTROL_TARGETS)
def test_a_next_with_control_characters_is_refused_by_every_form(client, owner, event, target):
    ana, luis = make_attendee(event), make_attendee(event)
    make_connection(ana, luis)
    language = client.post("/lang", data={"lang": "es", "next": target})
    assert language.status_code == 400 and "Location" not in language.headers
    assert "La dirección de vuelta de este enlace no es válida." in language.text
    login_page = client.get("/console/login", query_string={"next": target})
    assert login_page.status_code == 400
    signing_in = client.post("/console/login", query_string={"next": target},
                             data={"email": owner.email, "password": PASSWORD})
    assert signing_in.status_code == 400 and "Location" not in signing_in.headers
    sign_in_as(client, luis)
    note = client.post(f"/c/{ana.card_code}/note", data={"text": "hi", "next": target})
    assert note.status_code == 400 and "Location" not in note.headers


def test_tab_encoded_in_the_login_link_is_refused(client, owner):
    login(client, owner)
    response = client.get("/console/login?next=/%09/evil.example")
    assert response.status_code == 400 and "Location" not in response.headers
    assert "return address is not valid" in response.text


def test_a_next_on_this_site_is_followed(client, owner, event):
    target = f"/console/events/{event.slug}/attendees?q=Ana%20N%C3%BA%C3%B1ez&page=2"
    response = client.post("/console/login", query_string={"next": target},
                           data={"email": owner.email, "password": PASSWORD})
    assert response.headers["Location"] == target
    assert client.post("/lang", data={"lang": "es", "next": target}).headers[
        "Location"] == target
