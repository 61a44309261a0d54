"""Faces in a browser: a photo chosen on the card form (no JavaScript needed), how the card
looks with it at 360 and 390 px, and what the card page weighs with it."""

import os
import time
from pathlib import Path

import pytest

from checkin.extensions import db
from checkin.faces.models import PersonPhoto
from checkin.people.services import issue_signin_link
from tests.photos import encoded, portrait

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CHECKIN_SCREENSHOTS")
CARD_WITH_PHOTO_BUDGET = 40 * 1024
TEXTS = {"en": ("My photo", "Save my card", "Card saved."),
         "es": ("Mi foto", "Guardar mi tarjeta", "Tarjeta guardada.")}


def loaded_width(img, timeout: float = 10.0) -> int:
    """The natural width of ``img`` (a locator) once loaded. Polled from Python: the pages'
    CSP (script-src 'self') refuses the eval that Playwright's wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        width = img.evaluate("(img) => img.complete ? img.naturalWidth : 0")
        if width:
            return width
        time.sleep(0.1)
    raise AssertionError("the image did not load")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory):
    """A phone-sized photo with a busy background: heavier than most real portraits."""
    path = tmp_path_factory.mktemp("photos") / "me.jpg"
    path.write_bytes(encoded(portrait(busy=True), "JPEG", quality=92))
    return path


@pytest.mark.parametrize("width", [360, 390])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_choosing_a_photo_puts_it_on_my_card(browser, live_server, event, create_attendee,
                                             photo_file, lang, width):
    me = create_attendee(event, display_name="Ana García", headline="Diseñadora")
    label, save, saved = TEXTS[lang]
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2,
                                  locale="es-ES" if lang == "es" else "en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(me)}")
    page.get_by_label(label, exact=True).set_input_files(str(photo_file))
    page.get_by_role("button", name=save).click()
    page.get_by_text(saved).wait_for()
    row = db.session.get(PersonPhoto, me.person_id)
    assert row is not None
    hero = page.locator(".hero img.face")
    assert hero.get_attribute("src") == f"/faces/{row.key}.jpg"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"faces-me-{lang}-{width}")
    page.goto(f"{live_server.url}/c/{me.card_code}")
    face = page.locator(".profile img.face")
    face.wait_for()
    loaded_width(face)
    # A sharp screen (2x) gets the 512 px photo.
    assert face.evaluate("(img) => img.currentSrc").endswith(f"/faces/{row.key}.webp")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"faces-card-{lang}-{width}")
    context.close()


def test_the_card_page_with_a_photo_stays_under_40_kb(browser, live_server, event,
                                                      create_attendee, photo_file, capsys):
    from tests.test_people_browser import measure

    me = create_attendee(event, display_name="Ana García", headline="Diseñadora",
                         company="Estudio Norte", offer="Diseño de logotipos",
                         need="Una imprenta de confianza",
                         what_i_do="Identidad visual para marcas locales.")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=3)  # a sharp phone: the 512 px photo
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(me)}")
    page.locator("#photo").set_input_files(str(photo_file))
    page.locator("form.card-form button[type=submit]").click()
    page.wait_for_url(f"**/e/{event.slug}/me")
    anonymous = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    device_scale_factor=3)
    viewer = anonymous.new_page()
    cdp = anonymous.new_cdp_session(viewer)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    size, urls = measure(viewer, cdp, f"{live_server.url}/c/{me.card_code}")
    assert any(u.endswith(".webp") for u in urls), urls
    row = db.session.get(PersonPhoto, me.person_id)
    with capsys.disabled():
        print(f"\nCard page with a photo: {size} bytes transferred (512 px WebP "
              f"{len(row.large)} bytes, 192 px JPEG {len(row.thumb)} bytes)")
    assert size < CARD_WITH_PHOTO_BUDGET, size
    anonymous.close()
    context.close()


def test_the_doors_green_answer_shows_the_face(browser, live_server, event, create_attendee):
    from checkin.accounts.models import Role
    from checkin.faces.images import process_photo
    from checkin.faces.services import replace_photo
    from tests.factories import make_staff
    from tests.test_door_browser import expect_result, open_door, type_code

    ana = create_attendee(event, display_name="Ana García")
    bruno = create_attendee(event, display_name="Bruno Díaz")
    key = replace_photo(ana.person, process_photo(encoded(portrait(600), "JPEG"))).key
    db.session.commit()
    context, door = open_door(browser, live_server, make_staff(event, Role.DOOR), event, "Door 1")
    roster = door.evaluate("fetch(location.pathname + '/roster').then(r => r.json())")
    rows = {row["n"]: row for row in roster["attendees"]}
    assert rows["Ana García"]["f"] == key and "c" not in rows["Ana García"]
    assert rows["Bruno Díaz"]["c"].startswith("#") and "f" not in rows["Bruno Díaz"]

    before = type_code(door, ana.card_code)
    door.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    face = door.locator("#result-face img.face")
    assert face.get_attribute("src") == f"/faces/{key}.webp"
    assert loaded_width(face) == 512
    shot(door, "faces-door-green-en")
    expect_result(door, "result-ok", "Checked in", before)

    context.set_offline(True)  # decided on the device, from its roster
    before = type_code(door, bruno.card_code)
    door.locator(f"#result[data-shown='{before + 1}']").wait_for(state="attached")
    assert door.locator("#result-face svg text").text_content() == "BD"
    assert door.locator("#result-face img").count() == 0
    expect_result(door, "result-ok", "Checked in", before)
    context.close()


def test_a_file_that_is_no_photo_is_refused_on_the_page(browser, live_server, event,
                                                        create_attendee, tmp_path):
    me = create_attendee(event, display_name="Ana García")
    not_a_photo = tmp_path / "cv.pdf"
    not_a_photo.write_bytes(b"%PDF-1.4 a CV, not a photo")
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, locale="es-ES")
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{issue_signin_link(me)}")
    page.locator("#headline").fill("Diseñadora")
    page.get_by_label("Mi foto", exact=True).set_input_files(str(not_a_photo))
    page.get_by_role("button", name="Guardar mi tarjeta").click()
    message = "Este archivo no es una foto que podamos leer. Elige una imagen JPEG, PNG o WebP."
    page.locator("#photo-error").get_by_text(message).wait_for()
    assert page.locator("#errors").get_by_role("link", name=f"Mi foto: {message}").is_visible()
    assert page.locator("#headline").input_value() == "Diseñadora"  # kept, not saved
    # The browser runs autofocus at its next rendering step, not as the text appears.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'photo'",
                           timeout=5000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "faces-refused-es-360")
    context.close()
