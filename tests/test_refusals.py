"""One refusal policy: a service's refusal is said in the language of whoever reads it."""

from flask_babel import force_locale

from checkin.errors import DomainError
from checkin.events.services import get_event
from tests.conftest import login
from tests.factories import make_api_token, make_event

SPANISH = {"Accept-Language": "es"}


def test_a_refusal_on_a_console_form_is_in_spanish_beside_its_field(client, owner, event):
    login(client, owner)
    response = client.post("/console/events/new", headers=SPANISH, data={
        "name": "Otra", "slug": event.slug, "starts_at": "2026-12-03T19:00",
        "ends_at": "2026-12-03T22:00", "timezone": "Europe/Madrid", "default_language": "es"})
    assert response.status_code == 400
    assert "Otro evento ya usa esta dirección web." in response.text


def test_a_refusal_on_an_attendee_page_is_in_spanish(client, owner):
    event = make_event(owner, state="closed", walk_ins_allowed=True)
    response = client.get(f"/e/{event.slug}/join", headers=SPANISH)
    assert response.status_code == 409
    assert "Este evento está cerrado: ya no se puede añadir nada." in response.text


def test_a_refusal_in_the_api_speaks_the_callers_language(client, owner, event):
    other = make_event(owner, state="draft")
    _, secret = make_api_token(owner)
    url, body = f"/api/v1/events/{other.slug}", {"slug": event.slug}
    headers = {"Authorization": f"Bearer {secret}"}
    spanish = client.patch(url, json=body, headers=headers | SPANISH)
    english = client.patch(url, json=body, headers=headers)
    assert spanish.status_code == english.status_code == 409
    assert spanish.json["error"] == {"code": "slug_taken", "field": "slug",
                                     "message": "Otro evento ya usa esta dirección web."}
    assert english.json["error"]["message"] == "Another event already uses this web address."


def test_a_refusal_is_translated_when_read_not_when_raised(app):
    with app.test_request_context(headers=SPANISH):
        try:
            get_event("nowhere")
        except DomainError as error:
            refusal = error
        assert refusal.message == "No existe ese evento."
        with force_locale("en"):
            assert str(refusal) == "No such event."
