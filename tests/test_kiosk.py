"""The self check-in kiosk: a guest shows their own QR and sees their own name, nothing of
anyone else; the browser reaches nothing else of the console until a staff password."""

import pytest

from checkin.accounts.models import Role
from checkin.door.models import CheckIn
from checkin.extensions import db
from checkin.people.models import Attendee
from checkin.qr import card_payload
from tests.conftest import csrf_token_from, login
from tests.factories import PASSWORD, make_attendee, make_event, make_staff


def _door(event):
    return f"/console/events/{event.slug}/door"


def start_kiosk(client, event):
    page = client.get(_door(event)).get_data(as_text=True)
    response = client.post(_door(event) + "/kiosk/start",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/door/kiosk")
    return client.get(_door(event) + "/kiosk")


def kiosk_scan(client, event, code, **extra):
    return client.post(_door(event) + "/kiosk/scans", json={"code": code, **extra})


@pytest.fixture
def staff(event):
    return make_staff(event, Role.DOOR)


def test_a_kiosk_speaks_both_languages_and_holds_nobody(client, event, staff):
    make_attendee(event, first_name="Ana", last_name="Núñez")
    login(client, staff)
    page = start_kiosk(client, event)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Registra tu llegada" in html and "Check yourself in" in html
    assert "Enséñale a la cámara el código QR" in html and "Show the QR code" in html
    assert "Ana" not in html and 'id="search"' not in html and "kind-exit" not in html


def test_a_kiosk_browser_reaches_nothing_else_of_the_console(client, event, staff):
    make_attendee(event, first_name="Ana")
    login(client, staff)
    start_kiosk(client, event)
    for path in (_door(event), "/console/", f"/console/events/{event.slug}/dashboard",
                 _door(event) + f"/badge/{db.session.query(Attendee).first().id}"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/door/kiosk"), path
    for path in ("/roster", "/search?q=ana"):
        refused = client.get(_door(event) + path)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "kiosk"
    assert client.post(_door(event) + "/scans", json={"code": "x"}).status_code == 403
    assert client.post("/console/logout").status_code == 302  # no way out but the password


def test_a_guest_sees_their_own_name_and_a_failed_scan_reveals_nobody(client, event, staff):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", ticket_code="QXLM-1")
    outsider = make_attendee(make_event(), first_name="Olga", last_name="Otra")
    login(client, staff)
    start_kiosk(client, event)
    answer = kiosk_scan(client, event, card_payload("http://x", ana.card_code)).get_json()
    assert answer == {"status": "ok", "result": "ok", "name": "Ana Núñez", "replayed": False}
    again = kiosk_scan(client, event, "qxlm-1").get_json()
    assert again["result"] == "already_checked_in" and again["name"] == "Ana Núñez"
    for code in (outsider.card_code, "NOBODY-1", card_payload("http://x", outsider.card_code)):
        assert kiosk_scan(client, event, code).get_json() == {"status": "error",
                                                              "result": "unknown"}
    assert kiosk_scan(client, event, "").get_json()["error"]["code"] == "missing_code"
    logs = db.session.query(CheckIn).order_by(CheckIn.id).all()
    assert [log.kind for log in logs] == ["entry"] * 5
    assert logs[0].gate == "Kiosk" and logs[0].organizer_id == staff.id


def test_a_kiosk_prints_the_badge_of_the_guest_it_let_in(client, event, staff):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", company="Zapatería Núñez")
    login(client, staff)
    start_kiosk(client, event)
    answer = kiosk_scan(client, event, ana.card_code, badge=True).get_json()
    assert 'class="badge"' in answer["badge"] and "Zapatería Núñez" in answer["badge"]
    assert "badge" not in kiosk_scan(client, event, ana.card_code, badge=True).get_json()


def test_leaving_kiosk_mode_takes_the_staff_password(client, event, staff):
    login(client, staff)
    page = start_kiosk(client, event).get_data(as_text=True)
    wrong = client.post(_door(event) + "/kiosk/leave",
                        data={"csrf_token": csrf_token_from(page), "password": "guess"})
    assert wrong.status_code == 400
    assert "do not match" in wrong.get_data(as_text=True)
    assert client.get(_door(event)).status_code == 302  # still a kiosk
    right = client.post(_door(event) + "/kiosk/leave",
                        data={"csrf_token": csrf_token_from(page), "password": PASSWORD})
    assert right.status_code == 303 and right.headers["Location"].endswith("/door")
    assert client.get(_door(event)).status_code == 200
    assert client.get(_door(event) + "/roster").status_code == 200


def test_who_may_not_run_a_kiosk(app, client, event):
    ana = make_attendee(event)
    assert client.get(_door(event) + "/kiosk").status_code == 302  # signed out: sign in
    assert kiosk_scan(client, event, ana.card_code).status_code == 401
    login(client, make_staff(make_event(), Role.DOOR))  # another event's door staff
    assert client.get(_door(event) + "/kiosk").status_code == 404
    assert client.post(_door(event) + "/kiosk/start").status_code == 404
    assert kiosk_scan(client, event, ana.card_code).status_code == 404
    door = app.test_client()
    login(door, make_staff(event, Role.DOOR))  # this event's staff, not in kiosk mode
    offer = door.get(_door(event) + "/kiosk")  # a kiosk's address on a device that is none yet
    assert offer.status_code == 200 and 'id="kiosk-start"' in offer.get_data(as_text=True)
    assert kiosk_scan(door, event, ana.card_code).get_json()["error"]["code"] == "not_a_kiosk"
    db.session.expire_all()
    assert db.session.get(Attendee, ana.id).checked_in_at is None
