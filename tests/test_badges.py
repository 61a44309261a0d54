"""Badge sheets: eight per page, A4 or Letter, and their QR codes decode."""

import re

import pytest

from checkin.accounts.models import Role
from checkin.extensions import db
from checkin.qr import card_payload
from checkin.qr.models import QrDrawing
from tests.conftest import login
from tests.factories import PASSWORD, make_attendee, make_event, make_staff
from tests.qrtools import decode_qr


def badges_url(event, query=""):
    return f"/console/events/{event.slug}/badges{query}"


def test_eight_badges_per_sheet_with_name_company_and_stored_qr(client, owner, event):
    for i in range(10):
        make_attendee(event, first_name=f"Guest{i}", last_name="Núñez", company=f"Company {i}")
    login(client, owner)
    html = client.get(badges_url(event)).get_data(as_text=True)
    assert html.count('class="sheet sheet-a4"') == 2
    assert html.count('class="badge"') == 10
    assert "Guest3 Núñez" in html and "Company 3" in html
    assert db.session.query(QrDrawing).count() == 10
    letter = client.get(badges_url(event, "?paper=letter")).get_data(as_text=True)
    assert letter.count('class="sheet sheet-letter"') == 2
    assert db.session.query(QrDrawing).count() == 10  # drawn once, kept


def test_selected_attendees_only(client, owner, event):
    ana = make_attendee(event, first_name="Ana")
    luis = make_attendee(event, first_name="Luis")
    make_attendee(event, first_name="Eva")
    outsider = make_attendee(make_event(), first_name="Outsider")
    login(client, owner)
    html = client.get(badges_url(event, f"?id={ana.id}&id={luis.id}&id={outsider.id}&id=x")) \
        .get_data(as_text=True)
    assert html.count('class="badge"') == 2
    assert "Ana Example" in html and "Luis Example" in html
    assert "Eva" not in html and "Outsider" not in html


def test_badges_are_for_owners_only(client, event):
    assert client.get(badges_url(event)).status_code == 302
    login(client, make_staff(event, Role.DOOR))
    assert client.get(badges_url(event)).status_code == 404


@pytest.mark.browser
def test_printed_qr_codes_decode_and_are_at_least_25_mm(browser, live_server, owner, event):
    people = [make_attendee(event, first_name=f"Guest{i}", company="Zapatería Núñez")
              for i in range(8)]
    context = browser.new_context(viewport={"width": 900, "height": 1200},
                                  device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login")
    page.fill("#email", owner.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(f"{live_server.url}{badges_url(event)}")
    sheet = page.locator(".sheet").first
    found = decode_qr(sheet.screenshot())
    base = live_server.url
    assert sorted(found) == sorted(card_payload(base, a.card_code) for a in people)
    mm = 96 / 25.4
    for svg in page.locator(".badge-qr svg").all():
        modules = float(svg.get_attribute("viewBox").split()[2])
        symbol = svg.bounding_box()["width"] * (modules - 8) / modules  # without quiet zone
        assert symbol >= 25 * mm
    page.emulate_media(media="print")
    assert page.locator(".bar").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(pages) == 1  # eight badges, one sheet of paper
    assert abs(float(pages[0][0]) - 595) < 3 and abs(float(pages[0][1]) - 842) < 3  # A4
    context.close()
