"""The printable "scan to join" poster: its QR opens the walk-in join page; owners only."""

import re
from datetime import UTC, datetime

import pytest

from checkin.accounts.models import Role
from checkin.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_event, make_organizer, make_staff
from tests.qrtools import decode_qr


def poster_url(event):
    return f"/console/events/{event.slug}/poster"


@pytest.fixture
def walk_in_event(owner):
    event = make_event(owner, name="Café Networking Noviembre",
                       starts_at=datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    event.walk_ins_allowed = True
    db.session.commit()
    return event


def test_the_poster_says_it_in_both_languages_with_the_event_and_its_date(client, owner,
                                                                          walk_in_event):
    login(client, owner)
    html = client.get(poster_url(walk_in_event)).get_data(as_text=True)
    assert "Café Networking Noviembre" in html
    assert "¿No estás en la lista? Apúntate aquí" in html and "Not on the list? Join here" in html
    assert "jueves, 26 de noviembre de 2026 · 19:00" in html  # the event's zone, each language
    assert "Thursday, November 26, 2026 · 7:00" in html
    assert f"/e/{walk_in_event.slug}/join" in html and "<svg" in html


def test_without_walk_ins_the_poster_says_so_and_draws_nothing(client, owner, event):
    login(client, owner)
    page = client.get(poster_url(event))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "does not take walk-ins" in html and "<svg" not in html


def test_only_the_events_organizers_open_the_poster(app, client, walk_in_event):
    assert client.get(poster_url(walk_in_event)).status_code == 302  # signed out: sign in
    for stranger in (make_staff(walk_in_event, Role.DOOR), make_organizer()):
        other = app.test_client()
        login(other, stranger)
        assert other.get(poster_url(walk_in_event)).status_code == 404
    owner_elsewhere = make_organizer()
    make_event(owner_elsewhere)
    other = app.test_client()
    login(other, owner_elsewhere)
    assert other.get(poster_url(walk_in_event)).status_code == 404


@pytest.mark.browser
def test_the_printed_poster_is_one_a4_page_whose_qr_opens_the_join_page(browser, live_server,
                                                                        owner, walk_in_event):
    context = browser.new_context(viewport={"width": 900, "height": 1300}, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login")
    page.fill("#email", owner.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(live_server.url + poster_url(walk_in_event))
    join = f"{live_server.url}/e/{walk_in_event.slug}/join"
    assert decode_qr(page.locator(".poster").screenshot()) == [join]
    page.emulate_media(media="print")
    assert page.locator(".bar").is_hidden() and page.locator(".event-nav").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(pages) == 1
    assert abs(float(pages[0][0]) - 595) < 3 and abs(float(pages[0][1]) - 842) < 3  # A4
    page.screenshot(path="/tmp/door3/poster-print.png", full_page=True)
    context.close()
    # On the organizer's phone the page shows the poster scaled down, no wider than the screen.
    context = browser.new_context(viewport={"width": 360, "height": 780})
    phone = context.new_page()
    phone.goto(f"{live_server.url}/console/login")
    phone.fill("#email", owner.email)
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/console/")
    phone.goto(live_server.url + poster_url(walk_in_event))
    phone.screenshot(path="/tmp/door3/poster-360.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
