"""The door page with Chromium's fake camera filming a card QR, then an imported ticket's QR."""

import pytest

from checkin.accounts.models import Role
from checkin.door.models import CheckIn
from checkin.extensions import db
from checkin.qr import card_payload
from tests.factories import make_attendee, make_staff
from tests.qrtools import qr_video
from tests.test_door_browser import expect_result, open_door, shown

pytestmark = pytest.mark.browser
# A pretix-style ticket secret, as its own QR carries it.
TICKET = "hx2kq8m4d7tzbz3r9yvpwqeoum6h5sfa"


def filming(launch_browser, video):
    return launch_browser("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                          f"--use-file-for-fake-video-capture={video}")


def scan_twice(browser, live_server, staff, event, page, name):
    """Start the camera: green; the same person at another door: amber."""
    before = shown(page)
    page.click("#camera-start")
    expect_result(page, "result-ok", "Checked in", before)
    assert page.locator("#result-name").text_content() == name
    page.click("#camera-stop")
    context, door2 = open_door(browser, live_server, staff, event, "Door 2")
    before = shown(door2)
    door2.click("#camera-start")
    expect_result(door2, "result-warn", "Already checked in", before)
    assert "by Door 1" in door2.locator("#result-detail").text_content()
    door2.click("#camera-stop")
    context.close()


@pytest.mark.parametrize("ticket", [False, True], ids=["card-qr", "imported-ticket"])
def test_camera_scan_green_then_amber(launch_browser, live_server, event, tmp_path, ticket):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", ticket_code=TICKET,
                        ticket_type="Early bird")
    payload = TICKET if ticket else card_payload(live_server.url, ana.card_code)
    browser = filming(launch_browser, qr_video(payload, tmp_path / "qr.y4m"))
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1")
    scan_twice(browser, live_server, staff, event, page, "Ana Núñez")
    assert page.locator("#result-type").text_content() == "Early bird"
    db.session.expire_all()
    results = [r for (r,) in db.session.query(CheckIn.result).order_by(CheckIn.id)]
    assert results == ["ok", "already_checked_in"]
    context.close()


def results_logged():
    db.session.expire_all()
    return [r for (r,) in db.session.query(CheckIn.result).order_by(CheckIn.id)]


def test_a_code_left_in_view_is_read_once_until_next(launch_browser, live_server, event,
                                                      tmp_path):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    browser = filming(launch_browser, qr_video(card_payload(live_server.url, ana.card_code),
                                               tmp_path / "qr.y4m"))
    context, page = open_door(browser, live_server, make_staff(event, Role.DOOR), event,
                              "Door 1")
    page.click("#camera-start")
    page.locator("#result[data-shown='1']").wait_for(state="attached")
    assert page.locator("#result-word").text_content() == "Checked in"
    page.wait_for_timeout(6000)  # the code stays in front of the camera
    assert shown(page) == 1 and results_logged() == ["ok"]
    page.evaluate("document.getElementById('result-next').click()")  # the volunteer moves on
    page.locator("#result[data-shown='2']").wait_for(state="attached")
    # Read again, this device's answer moments ago: still green for Ana, nothing new logged.
    assert page.locator("#result-word").text_content() == "Checked in"
    assert results_logged() == ["ok"]
    context.close()


def test_another_code_is_read_at_once(launch_browser, live_server, event, tmp_path):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez")
    bruno = make_attendee(event, first_name="Bruno", last_name="Díaz")
    video = qr_video([card_payload(live_server.url, ana.card_code),
                      card_payload(live_server.url, bruno.card_code)], tmp_path / "two.y4m")
    context, page = open_door(filming(launch_browser, video), live_server,
                              make_staff(event, Role.DOOR), event, "Door 1")
    page.click("#camera-start")
    page.locator("#result[data-shown='2']").wait_for(state="attached", timeout=5000)
    page.wait_for_timeout(4000)  # the two codes keep taking turns in front of the camera
    names = {r.text_content().split(" — ")[0] for r in page.locator("#recent li").all()}
    assert names == {"Ana Núñez", "Bruno Díaz"}
    assert results_logged() == ["ok", "ok"]  # each let in once, however often seen
    context.close()
