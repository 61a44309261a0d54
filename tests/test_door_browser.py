"""The door page in a real browser: offline at the door with two devices, and what it keeps."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkin.accounts.models import Role
from checkin.door.models import CheckIn
from checkin.extensions import db
from checkin.people.models import Attendee
from tests.conftest import PHONE
from tests.factories import PASSWORD, make_attendee, make_connection, make_note, make_staff

pytestmark = pytest.mark.browser


def open_door(browser, live_server, organizer, event, gate, locale="en-US", clock=None):
    """A phone signed in as ``organizer`` on the door page, roster synced, gate set.

    ``clock`` sets the phone's date and time (a phone set wrong)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale=locale)
    page = context.new_page()
    if clock is not None:
        page.clock.set_system_time(clock)
    page.goto(f"{live_server.url}/console/login")
    page.fill("#email", organizer.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(f"{live_server.url}/console/events/{event.slug}/door")
    page.locator("#door[data-synced]").wait_for(state="attached")
    page.fill("#gate", gate)
    page.locator("#gate").dispatch_event("change")
    return context, page


def stored(page, slug, name):
    return page.evaluate(f"JSON.parse(localStorage.getItem('checkin.door.{slug}.{name}'))")


def shown(page):
    return int(page.locator("#result").get_attribute("data-shown") or 0)


def type_code(page, code):
    before = shown(page)
    page.fill("#code", code)
    page.click("#code-form button[type=submit]")
    return before


def expect_result(page, css_class, word, before):
    """The full-screen result that followed an action (it hides itself after a moment)."""
    page.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    assert css_class in page.locator("#result").get_attribute("class")
    assert page.locator("#result-word").text_content() == word
    page.evaluate("document.getElementById('result-next').click()")


def test_two_devices_offline_then_back(browser, live_server, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    bruno = make_attendee(event, first_name="Bruno", last_name="Díaz")
    carla = make_attendee(event, first_name="Carla", last_name="Ruiz", ticket_code="TIX-C9",
                          ticket_type="Early bird")
    staff1, staff2 = make_staff(event, Role.DOOR), make_staff(event, Role.DOOR)
    ctx1, door1 = open_door(browser, live_server, staff1, event, "Door 1")
    ctx2, door2 = open_door(browser, live_server, staff2, event, "Door 2")
    dora = make_attendee(event, first_name="Dora", last_name="Vidal")  # after the last sync
    ctx1.set_offline(True)
    ctx2.set_offline(True)

    door1.fill("#search", "nunez")  # searched, accents forgiven, from the device's roster
    before = shown(door1)
    door1.locator(".match-button").filter(has_text="Ana Núñez").click()
    expect_result(door1, "result-ok", "Checked in", before)
    before = type_code(door1, f"{live_server.url}/c/{bruno.card_code}")  # a scanned card URL
    expect_result(door1, "result-ok", "Checked in", before)
    before = type_code(door1, "TIX-C9")  # the imported ticket's code
    expect_result(door1, "result-ok", "Checked in", before)
    before = type_code(door1, "TIX-C9")  # the same again, still offline: amber, never twice
    expect_result(door1, "result-warn", "Already checked in", before)
    before = type_code(door1, dora.card_code)  # not in the device's list: checked by hand
    expect_result(door1, "result-bad", "Unknown code", before)
    assert "check the ticket by hand" in door1.locator("#result-detail").text_content()
    assert door1.locator("#pending").inner_text() == "5 scans waiting to upload"
    assert door1.locator("#net").inner_text() == "Offline"
    queue1 = stored(door1, event.slug, "queue")

    before = type_code(door2, carla.card_code)  # the second device lets Carla in too, later
    expect_result(door2, "result-ok", "Checked in", before)
    queue2 = stored(door2, event.slug, "queue")
    db.session.expire_all()
    assert db.session.query(CheckIn).count() == 0

    # The later device comes back first; then the earlier one.
    ctx2.set_offline(False)
    door2.locator("#pending").wait_for(state="hidden")
    ctx1.set_offline(False)
    door1.locator("#pending").wait_for(state="hidden")

    db.session.expire_all()
    times = {q["nonce"]: q["scanned_at"] for q in queue1 + queue2}
    logs = db.session.query(CheckIn).order_by(CheckIn.scanned_at).all()
    assert len(logs) == 5  # the same ticket again from the same device moments later: one scan
    for log in logs:
        assert log.scanned_at.isoformat(timespec="milliseconds").replace("+00:00", "Z") \
            == times[log.nonce]
    by_person = {}
    for log in logs:
        by_person.setdefault(log.attendee_id, []).append((log.gate, log.result))
    assert by_person[ana.id] == [("Door 1", "ok")]
    assert by_person[bruno.id] == [("Door 1", "ok")]
    assert by_person[dora.id] == [("Door 1", "ok")]  # reconciled at upload
    assert by_person[carla.id] == [("Door 1", "ok"), ("Door 2", "duplicate")]
    inside = db.session.query(Attendee).filter(Attendee.checked_in_at.is_not(None)).all()
    assert {a.id for a in inside} == {ana.id, bruno.id, carla.id, dora.id}
    assert "Dora Vidal — Checked in" in door1.locator("#recent").inner_text()
    carla_in = db.session.get(Attendee, carla.id)
    assert carla_in.checked_in_gate == "Door 1"
    assert carla_in.checked_in_at == logs[2].scanned_at
    ctx1.close()
    ctx2.close()


def test_the_device_keeps_no_emails_and_no_notes(browser, live_server, event):
    ana = make_attendee(event, first_name="Ana", email="ana.private@example.com",
                        ticket_type="VIP", company="Hidden Company")
    ana.attention_note = "Needs step-free access"
    luis = make_attendee(event, first_name="Luis", email="luis.private@example.com")
    make_note(ana, make_connection(ana, luis), "Knows shoe suppliers")
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1")
    kept = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert "Ana Example" in kept and "VIP" in kept and "Needs step-free access" in kept
    for secret in ("@", "private", "Knows shoe suppliers", "Hidden Company", ana.card_code,
                   luis.card_code):
        assert secret not in kept
    roster = json.loads(json.loads(kept)[f"checkin.door.{event.slug}.roster"])
    assert {key for person in roster["attendees"] for key in person} == \
        {"i", "h", "t", "n", "y", "a", "in", "at", "g", "out", "c", "u"}
    context.close()


def test_a_reload_without_network_still_opens_the_door_page(browser, live_server, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1")
    page.locator("#door[data-shell]").wait_for(state="attached")
    kept = 0
    for _ in range(150):  # the worker stores the shell in the background
        kept = page.evaluate("caches.open('checkin-door-v1').then(c => c.keys())"
                             ".then(keys => keys.length)")
        if kept >= 5:
            break
        page.wait_for_timeout(100)
    assert kept >= 5
    context.set_offline(True)
    page.reload()
    assert page.locator("#net").inner_text() == "Offline"
    before = type_code(page, ana.card_code)
    expect_result(page, "result-ok", "Checked in", before)
    assert "Offline" in page.locator("#result-detail").text_content()
    context.close()


def test_server_unreachable_on_working_wifi_then_back(browser, live_server, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1")
    page.route("**/door/**", lambda route: route.abort())  # the venue's Wi-Fi, no way out
    before = type_code(page, ana.card_code)
    expect_result(page, "result-ok", "Checked in", before)
    assert page.locator("#net").inner_text() == "Offline"
    assert page.locator("#pending").inner_text() == "1 scan waiting to upload"
    page.unroute("**/door/**")
    page.locator("#pending").wait_for(state="hidden")  # found by the probe, uploaded
    db.session.expire_all()
    assert db.session.get(Attendee, ana.id).checked_in_gate == "Door 1"
    assert page.locator("#net").inner_text() == "Online"
    context.close()


def test_undo_a_mistaken_tap_online_and_offline(browser, live_server, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    luis = make_attendee(event, first_name="Luis", last_name="Gómez")
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1")
    before = type_code(page, ana.card_code)
    page.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    page.evaluate("document.getElementById('result-undo').click()")
    page.locator("#recent li", has_text="Ana Núñez — Undone").wait_for()
    db.session.expire_all()
    assert db.session.get(Attendee, ana.id).checked_in_at is None
    assert db.session.query(CheckIn).one().undone_at is not None

    context.set_offline(True)
    before = type_code(page, luis.card_code)
    expect_result(page, "result-ok", "Checked in", before)
    assert page.locator("#pending").is_visible()
    page.locator("#recent li", has_text="Luis Gómez").get_by_role("button", name="Undo").click()
    assert page.locator("#pending").is_hidden()  # it never left the device
    assert stored(page, event.slug, "queue") == []
    context.close()


def test_a_phone_whose_clock_says_1970_still_records_the_right_time(browser, live_server, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    luis = make_attendee(event, first_name="Luis", last_name="Gómez")
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1", locale="es-ES",
                              clock=datetime(1970, 1, 1, 12, 0, tzinfo=UTC))
    assert page.evaluate("new Date().getFullYear()") == 1970
    before = type_code(page, ana.card_code)
    expect_result(page, "result-ok", "Registrado", before)
    page.route("**/door/**", lambda route: route.abort())  # and offline, from the queue
    before = type_code(page, luis.card_code)
    expect_result(page, "result-ok", "Registrado", before)
    page.unroute("**/door/**")
    page.locator("#pending").wait_for(state="hidden")
    db.session.expire_all()
    for log in db.session.query(CheckIn).all():
        assert abs(log.scanned_at - log.received_at) < timedelta(minutes=1)
    assert db.session.query(CheckIn).filter_by(result="ok").count() == 2
    context.close()


def test_the_door_says_why_a_scan_from_a_wrong_clock_is_refused(browser, live_server, event):
    ana = make_attendee(event)
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1", locale="es-ES")
    page.route("**/door/scans", lambda route: route.continue_(post_data=json.dumps(
        {**json.loads(route.request.post_data), "scanned_at": "1970-01-01T00:00:00Z"})))
    before = type_code(page, ana.card_code)
    expect_result(page, "result-bad", "El reloj de este dispositivo está mal: ajusta su fecha y "
                  "hora", before)
    context.close()


def test_exit_has_its_own_look_and_undo_and_the_mode_survives_a_reload(browser, live_server,
                                                                         event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1")
    before = type_code(page, ana.card_code)
    expect_result(page, "result-ok", "Checked in", before)
    page.click("label[for=kind-exit]")
    page.reload()
    page.locator("#door[data-synced]").wait_for(state="attached")
    assert page.locator("#kind-exit").is_checked()  # kept on the device
    assert page.locator("#mode-banner").inner_text() == "EXIT: scanning people out"
    assert "door-exit" in page.locator("body").get_attribute("class")

    before = type_code(page, ana.card_code)
    page.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    assert "result-exit" in page.locator("#result").get_attribute("class")  # not green
    assert page.locator("#result-word").text_content() == "Checked out"
    assert page.locator("#result-icon").text_content() == "→"
    assert page.locator("#result-undo").is_visible()
    page.evaluate("document.getElementById('result-next').click()")
    page.fill("#search", "nunez")
    match = page.locator(".match-button", has_text="Ana Núñez")
    match.filter(has_text="Left at").wait_for()
    db.session.expire_all()
    left = db.session.query(CheckIn).filter_by(kind="exit").one()
    at_venue = left.scanned_at.astimezone(ZoneInfo(event.timezone))
    assert any(at_venue.strftime(f) in match.inner_text() for f in ("%H:%M", "%I:%M %p"))

    page.locator("#recent li", has_text="Ana Núñez — Checked out").get_by_role(
        "button", name="Undo").click()
    page.locator("#recent li", has_text="Ana Núñez — Undone").wait_for()
    db.session.expire_all()
    assert db.session.get(Attendee, ana.id).inside  # back inside
    assert db.session.query(CheckIn).filter_by(kind="exit").one().undone_at is not None
    page.click("label[for=kind-entry]")
    page.reload()
    assert page.locator("#kind-entry").is_checked()
    assert page.locator("#mode-banner").inner_text() == "Entry: scanning people in"
    context.close()


def test_a_typed_ticket_code_matches_regardless_of_case_online_and_offline(browser, live_server,
                                                                            event):
    make_attendee(event, first_name="Ana", last_name="Núñez", ticket_code="DEMO-1038")
    make_attendee(event, first_name="Bruno", last_name="Díaz", ticket_code="DEMO-1039")
    make_attendee(event, first_name="Carla", last_name="Ruiz", ticket_code="xY-1")
    make_attendee(event, first_name="Dora", last_name="Vidal", ticket_code="Xy-1")
    context, page = open_door(browser, live_server, make_staff(event, Role.DOOR), event, "Door 1")
    before = type_code(page, "demo-1038")
    expect_result(page, "result-ok", "Checked in", before)
    context.set_offline(True)
    before = type_code(page, "demo-1039")  # decided by the device
    expect_result(page, "result-ok", "Checked in", before)
    assert page.locator("#result-name").text_content() == "Bruno Díaz"
    before = type_code(page, "xy-1")  # two guests' codes differ only by case: by hand
    expect_result(page, "result-bad", "Unknown code", before)
    context.close()


def test_recent_scans_and_their_undo_survive_a_reload_and_the_headcount_shows(browser,
                                                                              live_server,
                                                                              event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    make_attendee(event, first_name="Bruno", last_name="Díaz")
    context, page = open_door(browser, live_server, make_staff(event, Role.DOOR), event, "Door 1")
    assert page.locator("#headcount").inner_text() == "Checked in: 0 / 2"
    before = type_code(page, ana.card_code)
    expect_result(page, "result-ok", "Checked in", before)
    assert page.locator("#headcount").inner_text() == "Checked in: 1 / 2"  # at once
    page.reload()
    page.locator("#door[data-synced]").wait_for(state="attached")
    assert page.locator("#headcount").inner_text() == "Checked in: 1 / 2"
    row = page.locator("#recent li", has_text="Ana Núñez — Checked in")
    row.get_by_role("button", name="Undo").click()  # still possible after the reload
    page.locator("#recent li", has_text="Ana Núñez — Undone").wait_for()
    page.locator("#headcount", has_text="Checked in: 0 / 2").wait_for()
    db.session.expire_all()
    assert db.session.get(Attendee, ana.id).checked_in_at is None
    context.close()
