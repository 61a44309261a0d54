"""What only a browser shows of a member's community pages (introductions too): one thumb at
360 px, in both languages, and light pages."""

from datetime import timedelta

import pytest

from checkin.columns import now_utc
from checkin.introductions.services import introduce
from checkin.people.services import issue_signin_link, update_card
from tests.test_people_browser import LOW_CONTRAST, PAGE_BUDGET, SMALL_TARGETS, measure, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "width"), [("es", 360), ("en", 390)])
def test_member_pages_at_phone_width(browser, live_server, owner, create_event, create_attendee,
                                     create_connection, language, width):
    past = create_event(owner, name="Desayuno · Breakfast",
                        starts_at=now_utc() - timedelta(days=20))
    live = create_event(owner, name="Networking Night · Noche de Networking")
    long_name = "Ana " + "Muylargo" * 12
    me_then = create_attendee(past, display_name=long_name, email="ana@example.com")
    me = create_attendee(live, display_name=long_name, email="ana@example.com")
    luis_then = create_attendee(past, display_name="Luis Núñez", email="luis@example.com")
    luis = create_attendee(live, display_name="Luis Núñez", email="luis@example.com")
    update_card(luis.person, listed=True, offer="Contabilidad " + "x" * 300,
                links=["https://example.com/" + "a" * 200])
    create_connection(me_then, luis_then)
    create_connection(me, luis)
    # Luis introduces me to Pedro, whom he met tonight: waiting for my answer.
    pedro = create_attendee(live, display_name="Pedro " + "Larguísimo" * 8,
                            email="pedro@example.com")
    create_connection(luis, pedro)
    introduce(luis.person, me.person_id, pedro.person_id, "Imprime etiquetas " + "y " * 120)
    context = browser.new_context(viewport={"width": width, "height": 740}, is_mobile=True,
                                  has_touch=True, locale=language)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(me)}")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    slug = live.community.slug
    for name in ("events", "network", "directory", "introductions", "introduce"):
        size, urls = measure(page, cdp, f"{live_server.url}/community/{slug}/{name}")
        assert all(u.startswith(live_server.url) for u in urls), urls
        assert size < PAGE_BUDGET, (name, size)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert page.evaluate(SMALL_TARGETS) == [], name
        assert page.evaluate(LOW_CONTRAST) == [], name
        assert page.locator("html").get_attribute("lang") == language
        shot(page, f"community-{name}-{language}")
    assert page.locator(".meetings li").count() == 0  # the directory: no meetings, no contact
    page.goto(f"{live_server.url}/community/{slug}/network")
    assert page.locator(".meetings li").count() == 2  # met twice, one entry
    context.close()
