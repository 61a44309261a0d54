"""A request to meet across two phones and a real SMTP server: Luis asks Ana, the email reaches
her in Spanish, she accepts, and both have each other's details and faces; Pedro, whom she
tells "not now", only ever sees "pending" and cannot ask again."""

import re

import pytest

from checkin.extensions import db
from checkin.mail.sender import deliver_pending
from checkin.meeting_requests.models import MeetingRequest
from checkin.people.services import issue_signin_link, update_card
from tests.test_people_browser import LOW_CONTRAST, SMALL_TARGETS, shot

pytestmark = pytest.mark.browser


def phone(browser, language):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                               has_touch=True, locale=language).new_page()


def sign_in(page, live_server, attendee):
    page.goto(f"{live_server.url}/s/{issue_signin_link(attendee)}")


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def check_page(page, name):
    # A click that navigates returns once the next page starts loading: measured before its
    # stylesheets arrive, every target would be the browser's default size.
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    assert page.evaluate(SMALL_TARGETS) == [], name
    assert page.evaluate(LOW_CONTRAST) == [], name
    shot(page, name)


def test_ask_email_accept_then_not_now(app, browser, live_server, smtp_server, event,
                                       create_attendee):
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    luis = create_attendee(event, first_name="Luis", last_name="Pérez",
                           email="luis@example.com", language="en")
    ana = create_attendee(event, first_name="Ana", last_name="García", email="ana@example.com",
                          language="es")
    pedro = create_attendee(event, first_name="Pedro", last_name="Ruiz",
                            email="pedro@example.com", language="en")
    update_card(luis.person, headline="Shoe shop", need="Labels for my shoe boxes")
    update_card(ana.person, headline="Diseñadora de etiquetas", offer="Diseño de etiquetas",
                phone="+34 611 222 333", share_phone=True)
    luis_phone, ana_phone, pedro_phone = (phone(browser, "en"), phone(browser, "es"),
                                          phone(browser, "en"))
    for page, attendee in ((luis_phone, luis), (ana_phone, ana), (pedro_phone, pedro)):
        sign_in(page, live_server, attendee)

    # Luis, from Ana's card: ask, with one line.
    luis_phone.goto(f"{live_server.url}/c/{ana.card_code}")
    luis_phone.get_by_role("link", name="Not in the same spot? Ask to meet").click()
    check_page(luis_phone, "request-ask-en")
    luis_phone.get_by_label("One line about why (optional)").fill("Your labels for my boxes?")
    luis_phone.get_by_role("button", name="Ask to meet").click()
    luis_phone.wait_for_url("**/requests")
    assert "Request sent to Ana García." in luis_phone.content()
    assert luis_phone.locator(".met-item", has_text="Ana García").inner_text().count("Pending")

    # The email reaches Ana, in Spanish, with Luis's public card and line.
    assert deliver_pending().sent == 1
    (email,) = smtp_server.messages
    assert email["To"] == "ana@example.com"
    assert email["Subject"] == f"Luis Pérez quiere conocerte en {event.name}"
    text = body(email)
    assert "Your labels for my boxes?" in text and "Necesita: Labels for my shoe boxes" in text
    assert "luis@example.com" not in text
    link = re.search(r"https?://\S+/requests", text).group(0)

    # Ana opens it on her phone: the count in the navigation, then Accept.
    ana_phone.goto(link)
    assert ana_phone.locator(".nav .count").inner_text() == "1"
    check_page(ana_phone, "request-requests-es")
    item = ana_phone.locator(".met-item", has_text="Luis Pérez")
    assert "Your labels for my boxes?" in item.inner_text()
    item.get_by_role("button", name="Aceptar").click()
    ana_phone.wait_for_url("**/requests")
    assert ana_phone.locator(".nav .count").count() == 0
    assert "Luis Pérez" in ana_phone.locator("#find").inner_text()  # find each other

    # Both connected, each with the other's shared details.
    luis_phone.goto(f"{live_server.url}/c/{ana.card_code}")
    assert "+34 611 222 333" in luis_phone.content()
    ana_phone.goto(f"{live_server.url}/c/{luis.card_code}")
    assert "luis@example.com" in ana_phone.content()
    luis_phone.goto(f"{live_server.url}/e/{event.slug}/requests")
    assert "Ana García" in luis_phone.locator("#find").inner_text()
    assert "Connected" in luis_phone.locator(".met-item", has_text="Ana García").inner_text()
    check_page(luis_phone, "request-find-en")
    assert deliver_pending().sent == 1
    accepted = smtp_server.messages[-1]
    assert accepted["To"] == "luis@example.com" and "+34 611 222 333" in body(accepted)

    # Pedro asks too; Ana says not now. Pedro sees pending, and cannot ask again.
    pedro_phone.goto(f"{live_server.url}/c/{ana.card_code}/ask")
    pedro_phone.get_by_role("button", name="Ask to meet").click()
    pedro_phone.wait_for_url("**/requests")
    assert deliver_pending().sent == 1
    ana_phone.goto(f"{live_server.url}/e/{event.slug}/requests")
    ana_phone.locator(".met-item", has_text="Pedro Ruiz").get_by_role(
        "button", name="Ahora no").click()
    ana_phone.wait_for_url("**/requests")
    assert "Pedro Ruiz" not in ana_phone.locator(".list").first.inner_text()
    pedro_phone.reload()
    mine = pedro_phone.locator(".met-item", has_text="Ana García").inner_text()
    assert "Pending" in mine and "declin" not in pedro_phone.content().lower()
    pedro_phone.goto(f"{live_server.url}/c/{ana.card_code}/ask")
    assert "You already asked to meet Ana García at this event." in pedro_phone.content()
    assert pedro_phone.get_by_role("button", name="Ask to meet").count() == 0
    assert deliver_pending().sent == 0
    assert [m["To"] for m in smtp_server.messages] == [
        "ana@example.com", "luis@example.com", "ana@example.com"]  # nothing ever to Pedro
    assert db.session.query(MeetingRequest).count() == 2
