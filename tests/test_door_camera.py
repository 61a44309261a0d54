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


def scan_twice(page, name):
    """Start the camera: green; start it again on the same person: amber."""
    before = shown(page)
    page.click("#camera-start")
    expect_result(page, "result-ok", "Checked in", before)
    assert page.locator("#result-name").text_content() == name
    page.click("#camera-stop")
    before = shown(page)
    page.click("#camera-start")
    expect_result(page, "result-warn", "Already checked in", before)
    assert "by Door 1" in page.locator("#result-detail").text_content()
    page.click("#camera-stop")


@pytest.mark.parametrize("ticket", [False, True], ids=["card-qr", "imported-ticket"])
def test_camera_scan_green_then_amber(launch_browser, live_server, event, tmp_path, ticket):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", ticket_code=TICKET,
                        ticket_type="Early bird")
    payload = TICKET if ticket else card_payload(live_server.url, ana.card_code)
    browser = filming(launch_browser, qr_video(payload, tmp_path / "qr.y4m"))
    staff = make_staff(event, Role.DOOR)
    context, page = open_door(browser, live_server, staff, event, "Door 1")
    scan_twice(page, "Ana Núñez")
    assert page.locator("#result-type").text_content() == "Early bird"
    db.session.expire_all()
    results = [r for (r,) in db.session.query(CheckIn.result).order_by(CheckIn.id)]
    assert results == ["ok", "already_checked_in"]
    context.close()
