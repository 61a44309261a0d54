"""The README's walk-through, shot for real: Luis sees whom to meet, asks Ana to meet, and Ana
introduces Luis to Pedro. Seeds a small community in a throw-away SQLite database, serves the
app on a loopback port and drives Chromium (Playwright) at 390 px, one browser per person.

    .venv/bin/python docs/walkthrough.py            # writes docs/screenshots/walkthrough-*.png

Each step that needs a page another piece of work adds (People to meet here, Ask to meet) is
shot only when the app has it; the script says which it skipped.
"""

import shutil
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checkin import create_app  # noqa: E402
from checkin.accounts.services import create_organizer  # noqa: E402
from checkin.columns import now_utc  # noqa: E402
from checkin.communities.services import new_community  # noqa: E402
from checkin.connections.services import record_connection, write_note  # noqa: E402
from checkin.door.services import check_in  # noqa: E402
from checkin.events.services import close_event, create_event, open_event  # noqa: E402
from checkin.extensions import db  # noqa: E402
from checkin.faces.drawn import drawn_portrait  # noqa: E402
from checkin.faces.images import process_photo  # noqa: E402
from checkin.faces.services import replace_photo  # noqa: E402
from checkin.people.services import issue_signin_link, register_attendee  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]

# name, email, language, headline, company, what I do, offer, need, phone shared
PEOPLE = {
    "luis": ("Luis Núñez", "luis@example.com", "en", "Shoe shop owner", "ReSole",
             "Two shoe shops in the old town, sustainable brands only.",
             "Shop-window space for local makers", "Labels and boxes for my own brand",
             "+34 600 111 222"),
    "ana": ("Ana García", "ana@example.com", "en", "Packaging designer", "Estudio Norte",
            "Brand identity and packaging for local brands.",
            "Labels, boxes and packaging design", "Shops that sell local brands",
            "+34 600 333 444"),
    "pedro": ("Pedro Ruiz", "pedro@example.com", "es", "Impresor", "Imprenta Ruiz",
              "Imprenta digital y offset en el barrio.",
              "Etiquetas y cajas impresas en tiradas cortas", "Diseñadores que recomienden",
              "+34 600 555 666"),
    "marta": ("Marta López", "marta@example.com", "es", "Contable", "Cuentas Claras",
              "Llevo la contabilidad de pequeños comercios.", "Contabilidad para tiendas",
              "Clientes en hostelería", ""),
    "olivia": ("Olivia Carter", "olivia@example.com", "en", "Investor", "Seedling Capital",
               "Early-stage investments in consumer products.", "Funding and mentoring",
               "Founders of sustainable brands", ""),
}


def seed(app) -> dict:
    """The breakfast three weeks ago, where Ana met Pedro; tonight, where Luis and Ana are."""
    organizer = create_organizer("organizer@example.org", "walkthrough-organizer",
                                 name="Colmena")
    community = new_community(organizer, "Colmena Cowork", default_language="en")
    db.session.commit()
    start = now_utc().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    breakfast = create_event(organizer, "Networking Breakfast", start - timedelta(days=21),
                             start - timedelta(days=21) + timedelta(hours=2), "Europe/Madrid",
                             slug="breakfast", community=community, default_language="en")
    tonight = create_event(organizer, "Networking Night", start, start + timedelta(hours=4),
                           "Europe/Madrid", slug="tonight", community=community,
                           venue="Colmena Cowork, Calle Mayor 12", default_language="en")
    open_event(breakfast)
    open_event(tonight)

    def register(event, key):
        name, email, language, headline, company, what, offer, need, phone = PEOPLE[key]
        first, last = name.split(" ", 1)
        return register_attendee(event, first_name=first, last_name=last, email=email,
                                 language=language, headline=headline, company=company,
                                 what_i_do=what, offer=offer, need=need, phone=phone,
                                 share_phone=bool(phone))

    at_breakfast = {key: register(breakfast, key) for key in ("ana", "pedro", "marta")}
    record_connection(at_breakfast["ana"], at_breakfast["pedro"],
                      at=breakfast.starts_at + timedelta(minutes=40))
    close_event(breakfast)
    here = {key: register(tonight, key) for key in PEOPLE if key != "pedro"}
    for n, key in enumerate(("ana", "marta", "olivia", "luis")):
        check_in(tonight, here[key].card_code, nonce=f"walk-{key}",
                 scanned_at=start + timedelta(minutes=5 + 3 * n), gate="Door 1")
    connection, _new = record_connection(here["luis"], here["marta"])
    write_note(here["luis"], connection, "Ask about year-end accounts")
    for n, key in enumerate(PEOPLE):
        person = (here.get(key) or at_breakfast[key]).person
        replace_photo(person, process_photo(drawn_portrait(40 + n)))
    db.session.commit()
    return {"tonight": here, "breakfast": at_breakfast, "event": tonight,
            "community": community}


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def has(app, part: str) -> bool:
    """Whether the app has ``part``: an endpoint, or a template ("meet/_people_to_meet.html")."""
    if part.endswith(".html"):
        return part in app.jinja_env.list_templates()
    return part in app.view_functions


def main() -> None:
    import logging

    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="checkin-walkthrough-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'walkthrough.db'}",
                      "CHECKIN_MAIL_URL": (workdir / "outbox").as_uri(),
                      "SECRET_KEY": "walkthrough"}, instance_path=str(workdir / "instance"))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    skipped = []
    with app.app_context():
        upgrade()
        world = seed(app)
        server, url = serve(app)
        app.config["CHECKIN_BASE_URL"] = url
        slug = world["community"].slug
        links = {key: issue_signin_link(world["tonight"].get(key) or world["breakfast"][key])
                 for key in ("luis", "ana", "pedro")}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            phones = {}
            for key in links:
                language = PEOPLE[key][2]
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                              device_scale_factor=2, locale=language)
                page = context.new_page()
                page.goto(f"{url}/s/{links[key]}")
                phones[key] = page

            def shot(key, name, at=None, full_page=False):
                """Screenshot ``key``'s phone, ``at`` (a selector) scrolled to the top."""
                page = phones[key]
                if at:
                    page.locator(at).first.evaluate("e => e.scrollIntoView()")
                path = SHOTS / f"walkthrough-{name}.png"
                page.screenshot(path=str(path), full_page=full_page)
                print("wrote", path.relative_to(ROOT))

            for step in STEPS:
                missing = [part for part in step.needs if not has(app, part)]
                if missing:
                    skipped.append((step.__name__, missing))
                    if step.instead:
                        step.instead(world)
                    continue
                step(phones, url, slug, world, shot)
            browser.close()
        server.shutdown()
    shutil.rmtree(workdir, ignore_errors=True)
    for name, missing in skipped:
        print(f"skipped {name}: the app has no {', '.join(missing)} yet")


def needs(*parts, instead=None):
    """The endpoints or templates a step shoots; ``instead`` does what the step would have
    left behind (Luis and Ana connected, say) when the app has not got them."""
    def mark(step):
        step.needs, step.instead = parts, instead
        return step
    return mark


def connect_by_scan(world):
    """Without requests to meet, Luis and Ana meet the old way: he scans her card."""
    record_connection(world["tonight"]["luis"], world["tonight"]["ana"])


@needs("meet/_people_to_meet.html")
def luis_sees_whom_to_meet(phones, url, slug, world, shot):
    """Luis, on his card during the event, sees People to meet here: Ana among them."""
    luis = phones["luis"]
    luis.goto(f"{url}/e/{world['event'].slug}/me")
    shot("luis", "1-people-to-meet", at="#to-meet")


@needs("meeting_requests.ask", instead=connect_by_scan)
def luis_asks_ana_to_meet(phones, url, slug, world, shot):
    """From the suggestion, Luis asks Ana to meet; she accepts on her Requests page."""
    luis, ana = phones["luis"], phones["ana"]
    suggestion = luis.locator(f"#meet-{world['tonight']['ana'].id} a.button")
    if luis.url.endswith("/me") and suggestion.count():
        suggestion.first.click()
    else:
        luis.goto(f"{url}/c/{world['tonight']['ana'].card_code}/ask")
    luis.fill("#message", "I'd like to talk about labels for my own shoe brand.")
    shot("luis", "2-luis-asks-ana")
    luis.click("form.ask-form button[type=submit]")
    ana.goto(f"{url}/e/{world['event'].slug}/requests")
    shot("ana", "3-ana-is-asked")
    ana.locator(".met-item button.primary").first.click()


@needs("introductions.introduce_page")
def ana_introduces_luis_to_pedro(phones, url, slug, world, shot):
    """Ana, in My network, introduces Luis to Pedro; Luis is asked first, then Pedro."""
    ana, luis, pedro = phones["ana"], phones["luis"], phones["pedro"]
    ana.goto(f"{url}/community/{slug}/network")
    ana.click(f"#n-{world['tonight']['luis'].person_id} >> text=Introduce to someone")
    ana.select_option("#second", str(world["breakfast"]["pedro"].person_id))
    ana.fill("#reason", "Pedro prints short runs of labels and boxes: just what your own "
                        "brand needs.")
    shot("ana", "4-ana-introduces", full_page=True)
    ana.click("button[type=submit]")
    luis.goto(f"{url}/community/{slug}/introductions")
    shot("luis", "5-luis-is-asked", at="#for-you")
    luis.click("text=Yes, introduce us")
    pedro.goto(f"{url}/community/{slug}/introductions")
    shot("pedro", "6-pedro-is-asked", at="#for-you")
    pedro.click("text=Sí, preséntanos")
    luis.goto(f"{url}/community/{slug}/network")
    shot("luis", "7-luis-network", at=f"#n-{world['breakfast']['pedro'].person_id}")
    ana.goto(f"{url}/community/{slug}/introductions")
    shot("ana", "8-ana-sees-it-happened", at="#made")


STEPS = [luis_sees_whom_to_meet, luis_asks_ana_to_meet, ana_introduces_luis_to_pedro]


if __name__ == "__main__":
    main()
