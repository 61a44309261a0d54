"""A badge printed at the door: after a green entry on demand, or at each entry when the
device is set to; door staff print only their own event's guests."""

import re

import pytest

from checkin.accounts.models import Role
from checkin.qr import card_payload
from tests.conftest import login
from tests.factories import PASSWORD, make_attendee, make_event, make_organizer, make_staff
from tests.qrtools import decode_qr
from tests.test_door_browser import expect_result, open_door, shown, type_code

# Every frame's print() records what it would print, in the door page (the top window).
RECORD_PRINTS = """
window.print = function () {
  var name = document.querySelector('.badge-name');
  (window.top.__printed = window.top.__printed || []).push(
    { path: location.pathname, name: name ? name.textContent : null });
};
"""


def badge_url(event, attendee):
    return f"/console/events/{event.slug}/door/badge/{attendee.id}"


def test_door_staff_print_a_badge_of_their_own_event_only(app, client, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", company="Zapatería Núñez")
    elsewhere = make_event()
    outsider = make_attendee(elsewhere, first_name="Olga")
    assert client.get(badge_url(event, ana)).status_code == 302  # signed out: to the sign-in
    login(client, make_staff(event, Role.DOOR))
    page = client.get(badge_url(event, ana))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('class="badge"') == 1
    assert "Ana Núñez" in html and "Zapatería Núñez" in html and "<svg" in html
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"  # the door prints it from a frame
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    # Another event's guest through this event, and this event's guest for another's staff.
    assert client.get(f"/console/events/{event.slug}/door/badge/{outsider.id}").status_code \
        == 404
    assert client.get(badge_url(elsewhere, outsider)).status_code == 404
    assert client.get(f"/console/events/{event.slug}/door/badge/99999").status_code == 404
    for stranger in (make_staff(elsewhere, Role.DOOR), make_organizer()):
        other = app.test_client()
        login(other, stranger)  # another event's door staff; an organizer of nothing here
        assert other.get(badge_url(event, ana)).status_code == 404


def test_the_owner_prints_one_too(client, owner, event):
    ana = make_attendee(event, first_name="Ana")
    login(client, owner)
    assert client.get(badge_url(event, ana)).status_code == 200


@pytest.mark.browser
def test_the_printed_badge_is_one_page_its_size_and_its_qr_opens_the_card(browser, live_server,
                                                                          event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", company="Zapatería Núñez",
                        ticket_type="Early bird")
    staff = make_staff(event, Role.DOOR)
    context = browser.new_context(viewport={"width": 600, "height": 500}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login")
    page.fill("#email", staff.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(live_server.url + badge_url(event, ana))
    assert decode_qr(page.locator(".badge").screenshot()) == \
        [card_payload(live_server.url, ana.card_code)]
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(pages) == 1
    width, height = (float(n) * 25.4 / 72 for n in pages[0])
    assert abs(width - 95) < 1 and abs(height - 69) < 1  # millimetres
    context.close()


def printed(page, count):
    """What the page printed, once it printed ``count`` times (the page allows no eval)."""
    for _ in range(100):
        done = page.evaluate("window.__printed || []")
        if len(done) >= count:
            return done
        page.wait_for_timeout(50)
    raise AssertionError(f"printed {done}, not {count} times")


@pytest.mark.browser
def test_print_badge_after_a_green_entry_and_at_each_entry_when_set(browser, live_server, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    luis = make_attendee(event, first_name="Luis", last_name="Gómez")
    eva = make_attendee(event, first_name="Eva", last_name="Ruiz")
    context, page = open_door(browser, live_server, make_staff(event, Role.DOOR), event, "Door 1")
    context.add_init_script(RECORD_PRINTS)
    page.reload()
    page.locator("#door[data-synced]").wait_for(state="attached")

    before = type_code(page, ana.card_code)
    page.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    page.click("#result-print")
    assert printed(page, 1) == [{"path": badge_url(event, ana), "name": "Ana Núñez"}]
    before = type_code(page, "NOT-A-GUEST")  # red: nobody to print
    page.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    assert page.locator("#result-print").is_hidden()
    page.evaluate("document.getElementById('result-next').click()")
    # From the recent scans too, once the answer has gone.
    page.locator("#recent li", has_text="Ana Núñez — Checked in").get_by_role(
        "button", name="Print badge").click()
    assert len(printed(page, 2)) == 2

    page.check("#autoprint")  # a setting of this device, kept across reloads
    page.reload()
    page.locator("#door[data-synced]").wait_for(state="attached")
    assert page.locator("#autoprint").is_checked()
    before = type_code(page, luis.card_code)
    expect_result(page, "result-ok", "Checked in", before)
    assert printed(page, 1) == [{"path": badge_url(event, luis), "name": "Luis Gómez"}]
    before = type_code(page, luis.card_code)  # the same device again: not printed again
    expect_result(page, "result-ok", "Checked in", before)
    page.wait_for_timeout(500)
    assert len(page.evaluate("window.__printed")) == 1

    context.set_offline(True)  # the server draws the badge: offline, nothing to print
    before = type_code(page, eva.card_code)
    page.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    assert page.locator("#result-print").is_hidden()
    assert shown(page) == before + 1
    kept = page.evaluate("caches.open('checkin-door-v1').then((c) => c.keys())"
                         ".then((keys) => keys.map((r) => r.url))")
    assert not [url for url in kept if "/badge/" in url]  # names are not kept by the worker
    context.close()
