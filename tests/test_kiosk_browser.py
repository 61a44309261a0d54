"""The kiosk in Chromium with a fake front camera filming a QR we draw."""

from pathlib import Path

import pytest

from checkin.accounts.models import Role
from checkin.door.models import CheckIn
from checkin.extensions import db
from checkin.qr import card_payload
from tests.factories import PASSWORD, make_attendee, make_event, make_staff
from tests.qrtools import qr_video
from tests.test_door_badge import RECORD_PRINTS, printed
from tests.test_door_camera import filming

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


def open_kiosk(browser, live_server, staff, event, viewport, autoprint=False, kept=None):
    """A tablet signed in as door staff, turned into the event's kiosk from the door page
    (``kept``: what the device kept in localStorage from another event's door)."""
    context = browser.new_context(viewport=viewport, has_touch=True, locale="es-ES")
    context.add_init_script(RECORD_PRINTS)
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login")
    page.fill("#email", staff.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(f"{live_server.url}/console/events/{event.slug}/door")
    page.locator("#door[data-synced]").wait_for(state="attached")
    if autoprint:
        page.check("#autoprint")
    for key, value in (kept or {}).items():
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, value])
    page.click("#kiosk-start button")
    page.wait_for_url("**/door/kiosk")
    return context, page


def result(page, count=1):
    page.locator(f"#result[data-shown='{count}']").wait_for(state="attached")
    return page.locator("#result")


def test_a_guest_checks_in_with_their_own_qr_and_their_badge_prints(launch_browser, live_server,
                                                                    event, tmp_path):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", company="Zapatería Núñez")
    make_attendee(event, first_name="Bruno", last_name="Díaz")
    browser = filming(launch_browser, qr_video(card_payload(live_server.url, ana.card_code),
                                               tmp_path / "qr.y4m"))
    context, page = open_kiosk(browser, live_server, make_staff(event, Role.DOOR), event, TABLET,
                               autoprint=True,
                               kept={"checkin.door.other-event.roster": '{"n": "Bruno"}'})
    # The door's roster went with the door: this tablet keeps nobody's name.
    kept = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert "Bruno" not in kept and "Ana" not in kept
    shown = result(page)
    assert "result-ok" in shown.get_attribute("class")
    assert page.locator("#result-name").inner_text() == "Ana Núñez"
    words = page.locator(".result-word").all_inner_texts()
    assert words == ["Te hemos registrado", "You are checked in"]
    assert printed(page, 1) == [{"path": "srcdoc", "name": "Ana Núñez"}]
    page.screenshot(path=str(SCREENSHOTS / "kiosk-checked-in-tablet.png"))
    assert page.evaluate("window.Scanner.engine") == "fallback"
    page.wait_for_timeout(5000)  # the guest still holds the code up: read once
    assert page.locator("#result").get_attribute("data-shown") == "1"
    db.session.expire_all()
    assert [r for (r,) in db.session.query(CheckIn.result)] == ["ok"]
    context.close()


@pytest.mark.parametrize("viewport, name", [(TABLET, "tablet"), (PHONE, "phone")])
def test_a_code_from_elsewhere_says_what_to_do_and_names_nobody(launch_browser, live_server,
                                                                event, tmp_path, viewport, name):
    outsider = make_attendee(make_event(), first_name="Olga", last_name="Otra")
    browser = filming(launch_browser, qr_video(card_payload(live_server.url, outsider.card_code),
                                               tmp_path / "qr.y4m"))
    context, page = open_kiosk(browser, live_server, make_staff(event, Role.DOOR), event,
                               viewport)
    page.locator("#kiosk[data-camera=on]").wait_for(state="attached")
    assert page.locator("#camera-start").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shown = result(page)
    assert "result-bad" in shown.get_attribute("class")
    assert "Olga" not in shown.inner_text()
    assert page.locator(".result-detail").all_inner_texts() == [
        "Pide ayuda a una persona en la entrada", "Please ask a person at the entrance"]
    page.screenshot(path=str(SCREENSHOTS / f"kiosk-not-found-{name}.png"))
    page.evaluate("document.getElementById('result').hidden = true")  # the kiosk between guests
    page.screenshot(path=str(SCREENSHOTS / f"kiosk-{name}.png"))
    context.close()


def test_leaving_the_kiosk_takes_the_password(browser, live_server, event):
    staff = make_staff(event, Role.DOOR)
    context, page = open_kiosk(browser, live_server, staff, event, PHONE)
    page.goto(f"{live_server.url}/console/events/{event.slug}/door")  # typed in the address bar
    page.wait_for_url("**/door/kiosk")
    page.click(".kiosk-leave summary")
    page.fill("#kiosk-password", "not-it")
    page.click(".kiosk-leave button[type=submit]")
    assert page.locator(".flash-error").is_visible()
    page.fill("#kiosk-password", PASSWORD)
    page.click(".kiosk-leave button[type=submit]")
    page.wait_for_url("**/door")
    page.locator("#door[data-synced]").wait_for(state="attached")
    context.close()
