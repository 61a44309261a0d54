"""People to meet here on a phone: at 360 and 390 px, both languages, faces and all, light."""

import pytest

from checkin.faces.images import process_photo
from checkin.people.services import issue_signin_link, update_card
from tests import factories
from tests.photos import encoded, portrait
from tests.test_meet import ANA, CARMEN, LUIS, PRINTERS
from tests.test_people_browser import LOW_CONTRAST, PAGE_BUDGET, SMALL_TARGETS, shot

pytestmark = pytest.mark.browser

FACE_BUDGET = 12 * 1024  # one 192 px photo


def weigh(page, cdp, url) -> dict[str, int]:
    """Bytes transferred (headers included) for each URL loading ``url`` requests."""
    urls, sizes = {}, {}

    def received(event):
        urls[event["requestId"]] = event["response"]["url"]

    def finished(event):
        sizes[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    cdp.remove_listener("Network.responseReceived", received)
    cdp.remove_listener("Network.loadingFinished", finished)
    # Only what this load asked for: a request still in flight from the page before ends
    # here too, but its response came before the listeners.
    return {urls[request]: size for request, size in sizes.items() if request in urls}


HEADING = {"es": "A quién conocer aquí", "en": "People to meet here"}
OUTSIDE = {"es": "Alguien fuera de tu círculo habitual: Carmen",
           "en": "Someone outside your usual circle: Carmen"}


@pytest.mark.parametrize(("language", "width"), [("es", 360), ("en", 390)])
def test_people_to_meet_at_phone_width(browser, live_server, owner, language, width):
    event = factories.make_event(owner, name="Noche de Networking · Networking Night")
    luis = factories.make_attendee(event, language=language, **LUIS)
    ana = factories.make_attendee(event, **ANA)
    long_name = {**PRINTERS[0], "display_name": "Pedro " + "Largonombre" * 6}
    people = [factories.make_attendee(event, **card) for card in [long_name, *PRINTERS[1:]]]
    carmen = factories.make_attendee(event, **CARMEN)
    update_card(carmen.person, photo=process_photo(encoded(portrait(), "JPEG")))
    for attendee in [luis, ana, *people, carmen]:
        factories.make_checkin(attendee)
    factories.make_connection(luis, ana)
    # Tall enough that the whole list is on screen: its faces load lazily, as they scroll in.
    context = browser.new_context(viewport={"width": width, "height": 1600}, is_mobile=True,
                                  has_touch=True, locale=language)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(luis)}", wait_until="networkidle")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes = weigh(page, cdp, f"{live_server.url}/e/{event.slug}/me")
    assert all(u.startswith(live_server.url) for u in sizes), sizes
    # The page as light as the other personal pages; each photo in the list one small image.
    faces = [size for url, size in sizes.items() if "/faces/" in url]
    assert sum(sizes.values()) - sum(faces) < PAGE_BUDGET, sizes
    assert len(faces) == 1 and faces[0] < FACE_BUDGET, sizes
    section = page.locator("section.to-meet")
    assert section.locator("h2").inner_text() == HEADING[language]
    assert section.locator(".met-item").count() == 4
    assert section.locator(".met-item.outside .reason").inner_text().startswith(OUTSIDE[language])
    assert section.locator("img.face").count() == 1  # Carmen's photo; the others' initials
    assert section.locator("img.face").evaluate("i => i.complete && i.naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    in_section = "document.querySelector('section.to-meet')."
    assert page.evaluate(SMALL_TARGETS.replace("document.", in_section)) == []
    assert page.evaluate(LOW_CONTRAST.replace("document.", in_section)) == []
    section.scroll_into_view_if_needed()
    shot(page, f"people-to-meet-{language}-{width}")
    context.close()
