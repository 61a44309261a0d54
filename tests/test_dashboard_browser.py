"""The live dashboard in a browser: it never asks again before the server has answered."""

import pytest

from tests.conftest import PHONE
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_the_dashboard_waits_for_its_previous_answer(browser, live_server, owner, event):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/console/login")
    page.fill("#email", owner.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    held = []
    page.route("**/dashboard/live", lambda route: held.append(route))  # a server too slow to answer
    page.goto(f"{live_server.url}/console/events/{event.slug}/dashboard")
    page.clock.run_for(10_500)
    page.wait_for_timeout(200)
    assert len(held) == 1
    page.clock.run_for(25_000)  # three more ticks of the old 10 s interval: nothing more asked
    page.wait_for_timeout(200)
    assert len(held) == 1
    held[0].fulfill(status=200, content_type="text/html",
                    body='<strong id="fig-registered">7</strong>')
    page.locator("#fig-registered", has_text="7").wait_for()
    page.clock.run_for(9_000)
    page.wait_for_timeout(200)
    assert len(held) == 1  # the next one waits 10 s after the answer
    page.clock.run_for(1_500)
    page.wait_for_timeout(200)
    assert len(held) == 2
    held[1].fulfill(status=200, content_type="text/html", body="")
    context.close()
