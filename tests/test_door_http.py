"""The door page and its JSON endpoints: who may use them, and what they answer."""

import json
import re
from datetime import timedelta

import pytest

from checkin.accounts.models import Role
from checkin.columns import now_utc
from checkin.door.codes import card_hash
from checkin.door.models import CheckIn
from checkin.extensions import db
from tests.conftest import csrf_token_from, login
from tests.factories import make_attendee, make_connection, make_event, make_note, make_staff


@pytest.fixture
def door_staff(event):
    return make_staff(event, Role.DOOR)


def noted(attendee, note):
    attendee.attention_note = note
    db.session.commit()
    return attendee


def _door(slug):
    return f"/console/events/{slug}/door"


def test_door_page_for_owner_and_door_staff(client, owner, event, door_staff):
    login(client, door_staff)
    page = client.get(_door(event.slug))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Search by name, email or ticket code" in html
    assert 'id="door-strings"' in html
    client.post("/console/logout")
    login(client, owner)
    assert client.get(_door(event.slug)).status_code == 200


DOOR_PATHS = ["", "/roster", "/search?q=ana", "/token", "/sw.js"]


def test_door_refuses_anonymous_and_strangers(client, event):
    for path in DOOR_PATHS:
        assert client.get(_door(event.slug) + path).status_code in (302, 401), path
    stranger = make_staff(make_event(), Role.OWNER)
    login(client, stranger)
    for path in DOOR_PATHS:
        assert client.get(_door(event.slug) + path).status_code == 404, path


def test_scans_refused_to_anonymous_as_json(client, event):
    answer = client.post(_door(event.slug) + "/scans", json={"code": "X"})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "signed_out"


def test_door_staff_of_another_event_cannot_scan_here(client, event):
    ana = make_attendee(event)
    other_staff = make_staff(make_event(), Role.DOOR)
    login(client, other_staff)
    answer = client.post(_door(event.slug) + "/scans", json={"code": ana.card_code})
    assert answer.status_code == 404
    assert ana.checked_in_at is None


def test_scan_green_then_amber_with_gate(client, event, door_staff):
    ana = noted(make_attendee(event, first_name="Ana", last_name="Núñez", ticket_type="VIP"),
                "Wheelchair")
    login(client, door_staff)
    first = client.post(_door(event.slug) + "/scans",
                        json={"code": f"http://localhost/c/{ana.card_code}", "gate": "Door 2",
                              "nonce": "n-1"}).get_json()
    assert first["status"] == "ok"
    assert first["attendee"]["n"] == "Ana Núñez"
    assert first["attendee"]["y"] == "VIP"
    assert first["attendee"]["a"] == "Wheelchair"
    again = client.post(_door(event.slug) + "/scans",
                        json={"code": ana.card_code.lower(), "nonce": "n-2"}).get_json()
    assert again["result"] == "already_checked_in"
    assert again["previous"]["gate"] == "Door 2"
    replay = client.post(_door(event.slug) + "/scans",
                         json={"code": ana.card_code, "nonce": "n-1"}).get_json()
    assert replay["status"] == "ok" and replay["replayed"] is True
    assert db.session.query(CheckIn).count() == 2


def test_scan_by_imported_ticket_code_and_unknown_and_wrong_event(client, event, door_staff):
    make_attendee(event, ticket_code="EB-12345", ticket_type="Early bird")
    elsewhere = make_attendee(make_event())
    login(client, door_staff)
    url = _door(event.slug) + "/scans"
    assert client.post(url, json={"code": "EB-12345"}).get_json()["status"] == "ok"
    assert client.post(url, json={"code": "NOPE-1"}).get_json()["result"] == "unknown_code"
    wrong = client.post(url, json={"code": elsewhere.card_code}).get_json()
    assert wrong["result"] == "wrong_event"


def test_exit_then_entry_again(client, event, door_staff):
    ana = make_attendee(event)
    login(client, door_staff)
    url = _door(event.slug) + "/scans"
    assert client.post(url, json={"code": ana.card_code, "type": "exit"}).get_json()["result"] \
        == "not_checked_in"
    client.post(url, json={"code": ana.card_code})
    out = client.post(url, json={"code": ana.card_code, "type": "exit"}).get_json()
    assert out["status"] == "ok" and out["attendee"]["in"] is False
    back = client.post(url, json={"code": ana.card_code}).get_json()
    assert back["status"] == "ok"


BAD_SCANS = [None, [], {"code": ""}, {"code": "X", "type": "sideways"},
             {"code": "X", "scanned_at": "yesterday"},
             {"code": "X", "scanned_at": "2026-01-01T10:00:00"},
             {"code": "X", "nonce": "n" * 65}]


def test_scan_bad_input(client, event, door_staff):
    login(client, door_staff)
    for body in BAD_SCANS:
        answer = client.post(_door(event.slug) + "/scans", json=body)
        assert answer.status_code == 400, body
        assert "error" in answer.get_json()


def test_scans_need_the_csrf_header(csrf_app, client, event, door_staff):
    ana = make_attendee(event)
    page = client.get("/console/login")
    client.post("/console/login", data={"email": door_staff.email, "password":
                                        "correct horse battery",
                                        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    url = _door(event.slug) + "/scans"
    refused = client.post(url, json={"code": ana.card_code})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf"
    token = client.get(_door(event.slug) + "/token").get_json()["csrf_token"]
    accepted = client.post(url, json={"code": ana.card_code}, headers={"X-CSRFToken": token})
    assert accepted.get_json()["status"] == "ok"


def test_search_forgives_accents_and_case_and_finds_by_email(client, event, door_staff):
    make_attendee(event, first_name="José", last_name="Núñez", email="jose@example.com")
    make_attendee(event, first_name="Ana", last_name="Pérez", email="ana.p@example.com",
                  ticket_code="TIX-77")
    make_attendee(make_event(), first_name="Nuria", last_name="Nunez")
    login(client, door_staff)
    found = client.get(_door(event.slug) + "/search?q=NUNEZ").get_json()["attendees"]
    assert [p["n"] for p in found] == ["José Núñez"]
    assert [p["n"] for p in client.get(_door(event.slug) + "/search?q=ana.p@ex")
            .get_json()["attendees"]] == ["Ana Pérez"]
    assert [p["n"] for p in client.get(_door(event.slug) + "/search?q=tix-77")
            .get_json()["attendees"]] == ["Ana Pérez"]
    assert client.get(_door(event.slug) + "/search?q=%25").get_json()["attendees"] == []
    assert "email" not in str(found)


def test_roster_holds_only_what_the_door_needs(client, event, door_staff):
    ana = noted(make_attendee(event, first_name="Ana", email="ana.secret@example.com",
                              ticket_code="T-1", ticket_type="VIP", company="Secret Corp"),
                "Vegan")
    luis = make_attendee(event, first_name="Luis", email="luis.secret@example.com")
    make_note(ana, make_connection(ana, luis), "private note about Luis")
    login(client, door_staff)
    response = client.get(_door(event.slug) + "/roster")
    body = response.get_data(as_text=True)
    assert "secret" not in body.lower() and "@" not in body
    assert "private note" not in body
    assert ana.card_code not in body and luis.card_code not in body  # a hash of each instead
    people = {p["n"]: p for p in response.get_json()["attendees"]}
    assert set(people["Ana Example"]) == {"i", "h", "t", "n", "y", "a", "in", "at", "g", "out",
                                          "c", "u"}  # u: a hash of a ticket URL, when one is kept
    key = response.get_json()["key"]
    assert people["Ana Example"]["h"] == card_hash(key, ana.card_code)
    assert people["Ana Example"]["a"] == "Vegan"
    assert people["Ana Example"]["t"] == "T-1"


def test_offline_queue_upload_keeps_scan_times_and_logs_the_duplicate(client, event, door_staff):
    ana = make_attendee(event)
    login(client, door_staff)
    url = _door(event.slug) + "/scans"
    early = (now_utc() - timedelta(minutes=20)).replace(microsecond=0)
    late = early + timedelta(minutes=5)
    second_device = client.post(url, json={"scans": [
        {"code": ana.card_code, "nonce": "dev2-1", "scanned_at": late.isoformat(),
         "gate": "Door 2", "queued": True}]}).get_json()["results"]
    assert second_device[0]["status"] == "ok"
    first_device = client.post(url, json={"scans": [
        {"code": ana.card_code, "nonce": "dev1-1", "scanned_at": early.isoformat(),
         "gate": "Door 1", "queued": True},
        {"code": ana.card_code, "nonce": "dev1-2", "scanned_at": late.isoformat(),
         "queued": True},
        {"code": "", "nonce": "dev1-3"}]}).get_json()["results"]
    assert [r["result"] for r in first_device] == ["ok", "duplicate", "missing_code"]
    db.session.refresh(ana)
    assert ana.checked_in_at == early and ana.checked_in_gate == "Door 1"
    results = dict(db.session.query(CheckIn.nonce, CheckIn.result).all())
    assert results == {"dev1-1": "ok", "dev2-1": "duplicate", "dev1-2": "duplicate"}
    # Sending the same queue again changes nothing.
    again = client.post(url, json={"scans": [{"code": ana.card_code, "nonce": "dev1-1",
                                              "scanned_at": early.isoformat()}]})
    assert again.get_json()["results"][0]["replayed"] is True
    assert db.session.query(CheckIn).count() == 3


def test_batch_limits(client, event, door_staff):
    login(client, door_staff)
    url = _door(event.slug) + "/scans"
    assert client.post(url, json={"scans": "nope"}).status_code == 400
    assert client.post(url, json={"scans": [{}] * 501}).status_code == 400
    assert client.post(url, json={"scans": [5]}).get_json()["results"][0]["result"] == "bad_scan"


def test_undo_within_fifteen_minutes(client, event, door_staff):
    ana = make_attendee(event)
    login(client, door_staff)
    answer = client.post(_door(event.slug) + "/scans", json={"code": ana.card_code}).get_json()
    undo_url = _door(event.slug) + f"/checkins/{answer['checkin_id']}/undo"
    undone = client.post(undo_url)
    assert undone.status_code == 200 and undone.get_json()["attendee"]["in"] is False
    assert client.post(undo_url).status_code == 409
    late = client.post(_door(event.slug) + "/scans", json={"code": ana.card_code}).get_json()
    log = db.session.get(CheckIn, late["checkin_id"])
    log.received_at = now_utc() - timedelta(minutes=16)
    db.session.commit()
    too_late = client.post(_door(event.slug) + f"/checkins/{late['checkin_id']}/undo")
    assert too_late.status_code == 409
    assert too_late.get_json()["error"]["code"] == "too_late"


def test_undo_of_another_events_checkin_is_not_found(client, event, door_staff):
    other = make_event()
    bob = make_attendee(other)
    from checkin.door.services import check_in

    log = check_in(other, bob.card_code).checkin
    login(client, door_staff)
    assert client.post(_door(event.slug) + f"/checkins/{log.id}/undo").status_code == 404


def test_door_page_speaks_spanish(client, event, door_staff):
    login(client, door_staff)
    html = client.get(_door(event.slug), headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Busca por nombre, email o código de entrada" in html
    strings = json.loads(re.search(r'id="door-strings">(.*?)</script>', html).group(1))
    assert strings["ok_entry"] == "Registrado"  # the words the script shows come translated
    assert strings["already_checked_in"] == "Ya registrado"


def test_service_worker_may_control_the_door_page(client, event, door_staff):
    login(client, door_staff)
    worker = client.get(_door(event.slug) + "/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == _door(event.slug)


def test_roster_since_holds_only_what_changed(client, event, door_staff):
    ana, luis, eva = (make_attendee(event, first_name=n) for n in ("Ana", "Luis", "Eva"))
    login(client, door_staff)
    url = _door(event.slug) + "/roster"
    full = client.get(url).get_json()
    assert full["full"] is True and len(full["attendees"]) == 3
    since = full["synced_at"]
    from checkin.door.services import check_in, undo_check_in

    check_in(event, ana.card_code)
    log = check_in(event, luis.card_code).checkin
    make_attendee(event, first_name="Zoe")
    changes = client.get(url, query_string={"since": since}).get_json()
    assert changes["full"] is False
    assert sorted(p["n"] for p in changes["attendees"]) == ["Ana Example", "Luis Example",
                                                             "Zoe Example"]
    since = changes["synced_at"]
    undo_check_in(event, log.id)
    undone = client.get(url, query_string={"since": since}).get_json()["attendees"]
    assert [(p["n"], p["in"]) for p in undone] == [("Luis Example", False)]
    assert eva.checked_in_at is None
    assert client.get(url, query_string={"since": "2026-01-01T10:00:00"}).status_code == 400


def test_no_answer_hands_the_door_a_card_code(client, event, door_staff):
    ana = make_attendee(event, first_name="Ana", ticket_code="EB-1")
    login(client, door_staff)
    door = _door(event.slug)
    answers = [client.get(door + "/search?q=ana").get_data(as_text=True)]
    scanned = client.post(door + "/scans", json={"code": "EB-1"})
    answers.append(scanned.get_data(as_text=True))
    answers.append(client.post(door + f"/checkins/{scanned.get_json()['checkin_id']}/undo")
                   .get_data(as_text=True))
    answers.append(client.post(door + "/scans", json={"scans": [{"code": "EB-1"}]})
                   .get_data(as_text=True))
    for answer in answers:
        assert "Ana Example" in answer and ana.card_code not in answer


def test_a_guest_picked_from_the_search_is_checked_in_by_id(client, event, door_staff):
    ana = make_attendee(event, first_name="Ana")
    stranger = make_attendee(make_event())
    login(client, door_staff)
    url = _door(event.slug) + "/scans"
    picked = client.get(_door(event.slug) + "/search?q=ana").get_json()["attendees"][0]
    answer = client.post(url, json={"attendee": picked["i"], "nonce": "p-1"}).get_json()
    assert answer["status"] == "ok" and answer["attendee"]["n"] == "Ana Example"
    assert client.post(url, json={"attendee": picked["i"], "nonce": "p-1"}).get_json()["replayed"]
    assert client.post(url, json={"attendee": stranger.id}).get_json()["result"] == "unknown_code"
    for bad in ("1", 2**40, True):
        refused = client.post(url, json={"attendee": bad})
        assert refused.status_code == 400
        assert refused.get_json()["error"]["code"] == "bad_attendee"
    db.session.refresh(ana)
    assert ana.inside and db.session.get(type(stranger), stranger.id).checked_in_at is None


def test_a_scan_from_a_device_whose_clock_says_1970_is_refused(client, event, door_staff):
    ana = make_attendee(event)
    login(client, door_staff)
    url = _door(event.slug) + "/scans"
    epoch = "1970-01-01T00:00:00Z"
    single = client.post(url, json={"code": ana.card_code, "scanned_at": epoch})
    assert single.status_code == 400
    assert single.get_json()["error"]["code"] == "scan_outside_event"
    for year in ("1969-12-31T23:00:00Z", "0001-01-01T00:00:00Z"):
        refused = client.post(url, json={"code": ana.card_code, "scanned_at": year})
        assert refused.get_json()["error"]["code"] == "bad_time"
    queued = client.post(url, json={"scans": [
        {"code": ana.card_code, "nonce": "q-1", "scanned_at": epoch, "queued": True}]})
    answer = queued.get_json()["results"][0]
    assert answer["rejected"] and answer["result"] == "scan_outside_event"
    assert db.session.query(CheckIn).count() == 0
    html = client.get(_door(event.slug), headers={"Accept-Language": "es"}).get_data(as_text=True)
    strings = json.loads(re.search(r'id="door-strings">(.*?)</script>', html).group(1))
    assert strings["scan_outside_event"].startswith("El reloj de este dispositivo")


def test_search_sorts_names_as_people_read_them(client, event, door_staff):
    for first in ("Zoe", "álvaro", "Bruno", "Álvaro"):
        make_attendee(event, first_name=first, last_name="Gil")
    login(client, door_staff)
    found = client.get(_door(event.slug) + "/search?q=gil").get_json()["attendees"]
    assert [p["n"] for p in found] == ["álvaro Gil", "Álvaro Gil", "Bruno Gil", "Zoe Gil"]
