"""What only a browser shows in the console: asking before closing (without JavaScript), and
the console on the organizer's phone at 360 px, in Spanish and English."""

import os
from pathlib import Path

import pytest

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
    assert page.locator(".pill-open").count() == 1

    page.click("text=Close the event…")
    page.click("button:has-text('Close the event')")
    assert page.url == overview
    assert page.locator(".pill-closed").count() == 1
    assert "Follow-ups already sent are not sent again" in page.content()
    page.click("text=Reopen the event")
    assert page.locator(".pill-open").count() == 1
    assert "The event is open again" in page.locator(".flash").inner_text()
    context.close()
