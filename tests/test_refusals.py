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


def test_the_door_pages_json_refusals_speak_the_volunteers_language(client, owner, event):
    login(client, owner)
    scans = f"/console/events/{event.slug}/door/scans"
    not_an_object = client.post(scans, json=["X"], headers=SPANISH)
    assert not_an_object.status_code == 400
    assert not_an_object.json["error"] == {"code": "bad_json",
                                           "message": "El cuerpo debe ser un objeto JSON."}
    batch = client.post(scans, json={"scans": ["X", {"code": "X", "scanned_at": 5}]},
                        headers=SPANISH)
    assert [r["message"] for r in batch.json["results"]] == [
        "Cada lectura es un objeto.", "scanned_at no es una fecha y hora ISO 8601."]
    too_many = client.post(scans, json={"scans": [{}] * 501}, headers=SPANISH)
    assert too_many.json["error"]["message"] == "Envía una lista de como máximo 500 lecturas."
    client.post("/console/logout")
    signed_out = client.post(scans, json={"code": "X"}, headers=SPANISH)
    assert signed_out.status_code == 401
    assert signed_out.json["error"]["message"] == "Vuelve a iniciar sesión para usar la puerta."


def test_an_import_refusal_in_the_api_speaks_the_callers_language(client, owner, event):
    _, secret = make_api_token(owner)
    headers = {"Authorization": f"Bearer {secret}"} | SPANISH
    url = f"/api/v1/events/{event.slug}/imports"
    no_file = client.post(url, headers=headers, data={"other": "x"},
                          content_type="multipart/form-data")
    assert no_file.status_code == 400 and no_file.json["error"]["field"] == "file"
    assert no_file.json["error"]["message"] == \
        "Envía la lista de invitados en el campo de formulario «file»."
    bad = client.post(url + "?confirm=perhaps", headers=headers, data=b"name\nAna\n",
                      content_type="text/csv")
    assert bad.json["error"]["message"] == "confirm debe ser true o false."


def test_the_import_cli_says_it_could_not_continue_in_the_default_language(app, runner, event,
                                                                          tmp_path, monkeypatch):
    """A refusal raised in the CLI goes through the same lazily translated message."""
    monkeypatch.setattr("checkin.guestlists.cli.continue_import", lambda *a, **k: None)
    monkeypatch.setattr("checkin.guestlists.cli.LEASE", __import__("datetime").timedelta(0))
    guests = tmp_path / "guests.csv"
    guests.write_text("name,email\nAna,ana@example.com\n")
    app.config["BABEL_DEFAULT_LOCALE"] = "es"
    result = runner.invoke(args=["attendees", "import", event.slug, str(guests)])
    assert result.exit_code == 2
    assert "Error: La importación no pudo continuar; vuelve a ejecutar el comando." \
        in result.output
