"""The door as people read it: counts in each language's plural forms, names sorted as read."""

import pytest
from flask_babel import refresh

from checkin.accounts.models import Role
from tests.factories import make_attendee, make_staff
from tests.test_door_browser import expect_result, open_door, type_code

PENDING_FORMS_ES = "JSON.parse(document.getElementById('door-strings').textContent).pending"


def test_the_door_script_gets_every_plural_form_of_a_count(app):
    from checkin.door.pages import door_strings

    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert door_strings()["pending"] == {
            "one": "%(num)s lectura pendiente de enviar",
            "many": "%(num)s de lecturas pendientes de enviar",  # 1.000.000 de lecturas
            "other": "%(num)s lecturas pendientes de enviar"}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the language is kept per app context: ask again
        assert door_strings()["pending"] == {"one": "%(num)s scan waiting to upload",
                                             "other": "%(num)s scans waiting to upload"}


@pytest.mark.browser
def test_scans_waiting_are_counted_in_the_door_language(browser, live_server, event):
    ana, luis = make_attendee(event, first_name="Ana"), make_attendee(event, first_name="Luis")
    context, page = open_door(browser, live_server, make_staff(event, Role.DOOR), event,
                              "Puerta 1", locale="es-ES")
    context.set_offline(True)
    before = type_code(page, ana.card_code)
    expect_result(page, "result-ok", "Registrado", before)
    assert page.locator("#pending").inner_text() == "1 lectura pendiente de enviar"
    before = type_code(page, luis.card_code)
    expect_result(page, "result-ok", "Registrado", before)
    assert page.locator("#pending").inner_text() == "2 lecturas pendientes de enviar"
    words = page.evaluate(f"""import('/static/js/door/screen.js').then((m) => {{
        const count = m.counter('es');
        return [1000000, 2500].map((n) => count.words({PENDING_FORMS_ES}, n));
    }})""")
    assert words == ["1.000.000 de lecturas pendientes de enviar",
                     "2500 lecturas pendientes de enviar"]
    context.close()


@pytest.mark.browser
def test_search_on_the_device_sorts_names_as_people_read_them(browser, live_server, event):
    for first in ("Zoe", "álvaro", "Bruno", "Álvaro"):
        make_attendee(event, first_name=first, last_name="Gil")
    context, page = open_door(browser, live_server, make_staff(event, Role.DOOR), event, "Door 1")
    context.set_offline(True)
    page.fill("#search", "gil")
    page.locator(".match-button").nth(3).wait_for()
    names = page.locator(".match-button strong").all_inner_texts()
    assert names == ["álvaro Gil", "Álvaro Gil", "Bruno Gil", "Zoe Gil"]
    context.close()
