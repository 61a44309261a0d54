"""The in-app scanner in real Chromium, fed a card QR through a fake camera."""

import pytest

from checkin.people.services import issue_signin_link
from checkin.qr import card_payload
from tests.conftest import PHONE
from tests.qrtools import qr_video

pytestmark = pytest.mark.browser


def camera(launch_browser, video):
    return launch_browser("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                          f"--use-file-for-fake-video-capture={video}")


def test_scanning_a_card_qr_opens_that_card_ready_to_connect(launch_browser, live_server, event,
                                                             create_attendee, tmp_path):
    ana = create_attendee(event, first_name="Ana", last_name="García")
    luis = create_attendee(event)
    video = qr_video(card_payload(live_server.url, ana.card_code), tmp_path / "card.y4m")
    browser = camera(launch_browser, video)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(luis)}")
    page.goto(f"{live_server.url}/scan")
    page.wait_for_url(f"{live_server.url}/c/{ana.card_code}", timeout=15_000)
    assert page.get_by_role("button", name="Connect", exact=True).is_visible()
    assert page.get_by_role("heading", name="Ana García").is_visible()


def test_a_card_qr_of_no_card_stays_in_the_scanner_and_says_what_was_read(
        launch_browser, live_server, event, create_attendee, tmp_path):
    luis = create_attendee(event)
    video = qr_video(card_payload(live_server.url, "23456789AB"), tmp_path / "unknown.y4m")
    browser = camera(launch_browser, video)
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(luis)}")
    page.goto(f"{live_server.url}/scan")
    page.get_by_text("No card has the code 23456789AB.").wait_for(timeout=15_000)
    assert page.url.startswith(f"{live_server.url}/scan")
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url))
    # The camera keeps seeing the code (the fake one loops its video): the answer stays on
    # screen, not sent again and again.
    # Polled from here: the page's CSP refuses the script wait_for_function would poll with.
    for _ in range(50):
        if page.evaluate("Scanner.engine") is not None:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(3_000)
    assert loads == []
    assert page.get_by_text("No card has the code 23456789AB.").is_visible()
    assert page.get_by_role("link", name="My card").is_visible()


def test_a_foreign_qr_says_so_and_scanning_goes_on(launch_browser, live_server, tmp_path,
                                                   capsys):
    video = qr_video("https://example.com/not-a-card", tmp_path / "foreign.y4m")
    browser = camera(launch_browser, video)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes, urls = [], []
    cdp.on("Network.loadingFinished", lambda e: sizes.append(e["encodedDataLength"]))
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{live_server.url}/scan")
    page.get_by_text("This QR code is not a checkin card. Keep scanning.").wait_for(timeout=15_000)
    assert page.url == f"{live_server.url}/scan"
    assert page.evaluate("Scanner.engine") == "fallback"  # no BarcodeDetector on Linux
    assert all(u.startswith(live_server.url) for u in urls)
    assert any(u.endswith("decode.min.js") for u in urls)
    with capsys.disabled():
        print(f"\nScanner page with the fallback decoder: {sum(sizes):.0f} bytes transferred")
    assert sum(sizes) < 60 * 1024


def test_without_a_camera_the_typed_code_still_works(browser, live_server, event,
                                                     create_attendee):
    ana = create_attendee(event)
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/scan")
    page.get_by_text("The camera is not available").wait_for(timeout=10_000)
    page.get_by_label("Or type the card code").fill(ana.card_code.lower())
    page.get_by_role("button", name="Open card").click()
    page.wait_for_url(f"{live_server.url}/c/{ana.card_code}")
