"""What only a browser shows: the phone journey in es and en, the QR on screen, page weights."""

import os
from pathlib import Path

import pytest
import vobject

from checkin.people.services import issue_signin_link
from checkin.qr import card_payload
from tests.conftest import PHONE
from tests.qrtools import decode_qr

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CHECKIN_SCREENSHOTS")  # a folder: save what the pages look like
PAGE_BUDGET = 30 * 1024

TEXTS = {
    "en": {"save": "Save my card", "saved": "Card saved.", "connect": "Connect",
           "note": "Save note", "noted": "Note saved.", "contact": "Save contact",
           "met": "People I met", "headline": "Role"},
    "es": {"save": "Guardar mi tarjeta", "saved": "Tarjeta guardada.", "connect": "Conectar",
           "note": "Guardar nota", "noted": "Nota guardada.", "contact": "Guardar contacto",
           "met": "Gente que conocí", "headline": "Cargo"},
}


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def pair(live_server, event, create_attendee):
    ana = create_attendee(event, first_name="Ana", last_name="García", email="ana@example.com",
                          headline="Diseñadora", company="Estudio Norte",
                          offer="Diseño de logotipos", need="Una imprenta de confianza",
                          what_i_do="Identidad visual para marcas locales.")
    luis = create_attendee(event, first_name="Luis", last_name="Núñez", email="luis@example.com")
    return ana, luis


@pytest.mark.parametrize("lang", ["en", "es"])
def test_phone_journey(browser, live_server, event, pair, lang):
    ana, luis = pair
    t = TEXTS[lang]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="es-ES" if lang == "es" else "en-US",
                                  accept_downloads=True)
    page = context.new_page()
    secret = issue_signin_link(luis)
    page.goto(f"{live_server.url}/s/{secret}")
    assert page.url == f"{live_server.url}/e/{event.slug}/me"
    assert secret not in page.url
    assert page.locator("html").get_attribute("lang") == lang
    page.get_by_label(t["headline"], exact=True).fill("Zapatero")
    page.locator("#offer").fill("Zapatos hechos a mano")
    page.get_by_role("button", name=t["save"]).click()
    page.get_by_text(t["saved"]).wait_for()
    shot(page, f"me-{lang}")
    page.goto(f"{live_server.url}/c/{ana.card_code}")
    assert page.get_by_text("Diseño de logotipos").is_visible()
    shot(page, f"card-{lang}")
    page.get_by_role("button", name=t["connect"], exact=True).click()
    page.get_by_text("ana@example.com").wait_for()
    page.locator("#note-text").fill("Conoce imprentas")
    page.get_by_role("button", name=t["note"]).click()
    page.get_by_text(t["noted"]).wait_for()
    shot(page, f"connected-{lang}")
    with page.expect_download() as download:
        page.get_by_role("link", name=t["contact"]).click()
    card = vobject.readOne(Path(download.value.path()).read_text(encoding="utf-8"))
    assert card.fn.value == "Ana García" and card.email.value == "ana@example.com"
    assert "Conoce imprentas" in card.note.value
    page.get_by_role("link", name=t["met"]).first.click()
    item = page.locator(f"#p-{ana.card_code}")
    assert item.get_by_text("Ana García").is_visible()
    assert item.locator("textarea").input_value() == "Conoce imprentas"
    shot(page, f"met-{lang}")
    context.close()


def test_qr_on_screen_decodes_to_the_card_url(browser, live_server, event, pair):
    _ana, luis = pair
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(luis)}")
    page.goto(f"{live_server.url}/e/{event.slug}/me/qr")
    shot(page, "qr")
    box = page.locator("svg.qr").bounding_box()
    assert box["width"] >= 0.9 * PHONE["width"]  # fills the screen's width
    assert decode_qr(page.screenshot()) == [card_payload(live_server.url, luis.card_code)]
    context.close()


def measure(page, cdp, url) -> tuple[int, list[str]]:
    """Bytes transferred (headers included) to load ``url``, and every URL requested."""
    sizes, urls = [], []

    def finished(event):
        sizes.append(event["encodedDataLength"])

    def requested(request):
        urls.append(request.url)

    cdp.on("Network.loadingFinished", finished)
    page.on("request", requested)
    page.goto(url, wait_until="networkidle")
    cdp.remove_listener("Network.loadingFinished", finished)
    page.remove_listener("request", requested)
    return int(sum(sizes)), urls


def test_pages_are_light_and_first_party(browser, live_server, event, pair, create_connection,
                                         capsys):
    ana, luis = pair
    create_connection(luis, ana)
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(luis)}")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    weights = {}
    for name, path in [("my card", f"/e/{event.slug}/me"),
                       ("show my QR", f"/e/{event.slug}/me/qr"),
                       ("card (connected)", f"/c/{ana.card_code}"),
                       ("people I met", f"/e/{event.slug}/met"),
                       ("scanner page (no camera)", "/scan")]:
        size, urls = measure(page, cdp, live_server.url + path)
        assert all(u.startswith(live_server.url) for u in urls), urls
        weights[name] = size
    anonymous = browser.new_context(viewport=PHONE, is_mobile=True)
    page2 = anonymous.new_page()
    cdp2 = anonymous.new_cdp_session(page2)
    cdp2.send("Network.enable")
    cdp2.send("Network.setCacheDisabled", {"cacheDisabled": True})
    weights["card (anonymous)"], urls = measure(page2, cdp2, f"{live_server.url}/c/{ana.card_code}")
    assert not [u for u in urls if u.endswith(".js")]  # the card page needs no JavaScript
    weights["event sign-in page"], urls = measure(page2, cdp2, f"{live_server.url}/e/{event.slug}")
    with capsys.disabled():
        print("\nPage weights (bytes transferred):",
              ", ".join(f"{k}: {v}" for k, v in weights.items()))
    for name, size in weights.items():
        if "scanner" not in name:
            assert size < PAGE_BUDGET, (name, size)
    anonymous.close()
    context.close()


SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea, label')]
  .filter(e => e.offsetParent !== null && e.type !== 'hidden' && e.type !== 'checkbox')
  .filter(e => e.tagName !== 'LABEL' || e.control?.type === 'checkbox')
  .map(e => [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30),
             e.getBoundingClientRect().height])
  .filter(([, h]) => h < 44)"""


LOW_CONTRAST = """() => {
  const channels = c => c.match(/[\\d.]+/g).map(Number);
  const luminance = c => {
    const [r, g, b] = channels(c).slice(0, 3).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = e => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor, parts = channels(c);
      if (parts.length < 4 || parts[3] > 0) return c;
    }
    return 'rgb(255, 255, 255)';
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.offsetParent !== null
                 && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => {
      const [hi, lo] = [luminance(getComputedStyle(e).color), luminance(background(e))]
        .sort((a, b) => b - a);
      return [e.tagName + ' ' + e.textContent.trim().slice(0, 30), (hi + 0.05) / (lo + 0.05)];
    })
    .filter(([, ratio]) => ratio < 4.5);
}"""


def test_one_thumb_at_360_px(browser, live_server, create_event, create_attendee,
                             create_connection):
    event = create_event(walk_ins_allowed=True)
    ana = create_attendee(event, display_name="Ana " + "Muylargo" * 12, offer="x" * 400,
                          links=["https://example.com/" + "a" * 200])
    luis = create_attendee(event)
    create_connection(luis, ana)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    for path in (f"/e/{event.slug}", f"/e/{event.slug}/join", f"/c/{ana.card_code}"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert page.evaluate(SMALL_TARGETS) == [], path
    page.goto(f"{live_server.url}/s/{issue_signin_link(luis)}")
    for path in (f"/e/{event.slug}/me", f"/e/{event.slug}/me/qr", f"/c/{ana.card_code}",
                 f"/e/{event.slug}/met", "/scan", f"/e/{event.slug}/me/delete"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert page.evaluate(SMALL_TARGETS) == [], path
        assert page.evaluate(LOW_CONTRAST) == [], path
        # Every field has a label.
        unlabeled = page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')].filter(e => !e.labels.length)
            .map(e => e.name)""")
        assert unlabeled == [], path
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_refused_card_save_keeps_the_edits_and_leads_to_the_field(browser, live_server, event,
                                                                   pair, lang):
    _ana, luis = pair
    context = browser.new_context(viewport=PHONE, is_mobile=True,
                                  has_touch=True, locale="es-ES" if lang == "es" else "en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(luis)}")
    edits = {"#headline": "Zapatero", "#company": "Pasos Verdes", "#offer": "Zapatos a mano",
             "#links-0": "https://pasos.example", "#links-1": "zoe.design", "#email": "nope"}
    for selector, value in edits.items():
        page.locator(selector).fill(value)
    page.get_by_role("button", name=TEXTS[lang]["save"]).click()
    page.wait_for_load_state()
    summary = page.locator("#errors")
    assert summary.is_visible()
    # The summary opens the page (not 2,400 px below), the field in error is on screen.
    assert summary.evaluate("e => e.getBoundingClientRect().top + window.scrollY") < 300
    assert ("Correo electrónico" if lang == "es" else "Email") in summary.inner_text()
    # The browser runs autofocus at its next rendering step, not as the page loads.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'email'",
                           timeout=5000)
    assert 0 <= page.locator("#email").bounding_box()["y"] < PHONE["height"]
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/card-error-focus-{lang}.png")
    shot(page, f"card-error-{lang}")
    for selector, value in edits.items():  # every edit kept; the bare domain became a link
        assert page.locator(selector).input_value() == (
            "https://zoe.design" if value == "zoe.design" else value)
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#email")
    page.locator("#email").fill("luis@example.com")
    page.get_by_role("button", name=TEXTS[lang]["save"]).click()
    page.get_by_text(TEXTS[lang]["saved"]).wait_for()
    assert page.locator("#links-1").input_value() == "https://zoe.design"
    assert page.locator("#company").input_value() == "Pasos Verdes"
