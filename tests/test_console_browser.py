"""What only a browser shows in the console: asking before closing (without JavaScript), and
the console on the organizer's phone at 360 px, in Spanish and English."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CHECKIN_SCREENSHOTS")  # a folder: save what the pages look like


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png")


def sign_in(page, url, organizer):
    page.goto(f"{url}/console/login")
    page.fill("input[name=email]", organizer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console/")


def test_closing_asks_first_and_an_owner_reopens_without_javascript(browser, live_server,
                                                                    owner, create_event):
    event = create_event(owner, name="Noche de prueba")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                         "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, owner)
    overview = f"{live_server.url}/console/events/{event.slug}"
    page.goto(overview)
    page.click("text=Close the event…")
    assert page.locator("h1").inner_text() == "Close Noche de prueba?"
    shot(page, "console-confirm-close-en")
    page.click("text=Cancel")
    assert page.url == overview
    expect(page.locator(".pill-open")).to_have_count(1)

    page.click("text=Close the event…")
    page.click("button:has-text('Close the event')")
    assert page.url == overview
    expect(page.locator(".pill-closed")).to_have_count(1)
    assert "Follow-ups already sent are not sent again" in page.content()
    page.click("text=Reopen the event")
    expect(page.locator(".pill-open")).to_have_count(1)
    expect(page.locator(".flash")).to_contain_text("The event is open again")
    context.close()


NARROW = {"width": 360, "height": 740}
CONSOLE_PAGES = ("", "/edit", "/attendees", "/attendees/new", "/import", "/invitations",
                 "/staff", "/dashboard", "/followups", "/outbox", "/summary")
NAV_LINKS = 15  # every page of the event, the join poster included


@pytest.fixture
def busy_event(owner, create_event, create_attendee):
    from checkin.door.services import check_in

    event = create_event(owner, name="Café Networking Colmena", venue="Colmena Cowork, Madrid")
    for n in range(60):
        attendee = create_attendee(
            event, first_name=f"Guillermina{n:02d}", last_name="Fernández-Villaverde",
            email=f"guillermina.fernandez.villaverde{n:02d}@cooperativa-ejemplo.org",
            company="Cooperativa de Diseño Gráfico y Comunicación", ticket_type="Early bird",
            ticket_code=f"EB-2026-{n:05d}")
        if n % 2:
            check_in(event, attendee.card_code, gate="Puerta Norte")
    return event


def first_screen(page, selector):
    """Whether the first element matching ``selector`` is wholly on the first screen."""
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= NARROW["height"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_console_fits_the_organizers_phone(browser, live_server, owner, busy_event, lang):
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="es-ES" if lang == "es" else
                                  "en-US")
    page = context.new_page()
    sign_in(page, live_server.url, owner)
    base = f"{live_server.url}/console/events/{busy_event.slug}"
    for path in CONSOLE_PAGES:
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], (path, width)
        assert first_screen(page, "h1"), path
    page.goto(base)
    shot(page, f"console-360-overview-{lang}")
    assert first_screen(page, ".stats"), "the live counters are on the first screen"
    nav = page.locator(".event-nav")
    assert nav.bounding_box()["height"] <= 120, "a compact nav, not 14 links"
    # Every page is still one tap away: open the menu, all of them are there.
    page.locator(".event-nav summary").click()
    visible = page.locator(".event-nav a:visible")
    assert visible.count() == NAV_LINKS
    shot(page, f"console-360-nav-open-{lang}")

    page.goto(base + "/attendees")
    shot(page, f"console-360-attendees-{lang}")
    first = page.locator("table.reflow tbody tr").first
    assert first.locator("a").first.inner_text().startswith("Guillermina00")
    assert first_screen(page, "table.reflow tbody tr td.title"), "the first guest is on the first "\
        "screen"
    box = first.bounding_box()
    assert box["width"] <= NARROW["width"] - 16
    # The row reads as a card: each value beside its label, in the page's language.
    labels = page.evaluate("""() => [...document.querySelectorAll(
        'table.reflow tbody tr:first-child td[data-label]')].map(td =>
        getComputedStyle(td, '::before').content)""")
    expected = '"Llegada"' if lang == "es" else '"Arrived"'
    assert expected in labels, labels
    context.close()
