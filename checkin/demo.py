"""``checkin demo``: a believable demo community, a cowork with a past event and a live one
(forty people with full cards, arrivals, connections, notes; half of them speak Spanish, half
English; many were at both and met again), and the sign-in details to try it, one attendee in
each language.

It sits above the domains because it drives all of them: accounts, events, people, the
door and connections.
"""

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from checkin.accounts.models import Organizer
from checkin.accounts.services import create_organizer
from checkin.columns import now_utc
from checkin.communities.services import new_community
from checkin.connections.services import record_connection, write_note
from checkin.door.services import check_in
from checkin.events.models import Event
from checkin.events.services import close_event, create_event, open_event
from checkin.extensions import db
from checkin.faces.drawn import drawn_portrait
from checkin.faces.images import process_photo
from checkin.faces.services import replace_photo
from checkin.people.models import Attendee, AttendeeSource, Person
from checkin.people.services import issue_signin_link, register_attendee, signin_url
from checkin.text import fold

DEMO_ORGANIZER = "demo@example.org"
DEMO_PASSWORD = "demo-organizer"  # noqa: S105 (printed for the demo)
DEMO_SLUG = "demo"
PAST_SLUG = "demo-breakfast"
DEMO_COMMUNITY = "Colmena Cowork"

# (language, headline, what I do, what I offer, what I need): ten in Spanish, ten in English.
TRADES = [
    ("es", "Contable", "Llevo la contabilidad de pequeños comercios y autónomos.",
     "Contabilidad e impuestos para tiendas pequeñas", "Clientes en hostelería"),
    ("es", "Diseñadora gráfica", "Identidad visual y packaging para marcas locales.",
     "Diseño de logotipos y etiquetas", "Una imprenta de confianza"),
    ("es", "Fundador de tienda de zapatos", "Tengo dos zapaterías en el centro.",
     "Espacio de escaparate para artesanos", "Proveedores de calzado sostenible"),
    ("es", "Abogada laboralista", "Asesoro a pymes en contratos y despidos.",
     "Asesoría legal para startups", "Contactos con inversores"),
    ("es", "Panadero", "Panadería de masa madre en el barrio.",
     "Pan y bollería para eventos", "Diseño de packaging"),
    ("es", "Desarrollador web", "Hago tiendas online con Shopify y Django.",
     "Tiendas online y posicionamiento web", "Clientes del sector comercio"),
    ("es", "Fotógrafa", "Fotografía de producto y retratos corporativos.",
     "Fotografía de producto", "Espacio de estudio compartido"),
    ("es", "Consultor de exportación", "Ayudo a productores a vender en Europa.",
     "Contactos con distribuidores europeos", "Productores de aceite y vino"),
    ("es", "Profesora de inglés", "Clases de inglés de negocios para equipos.",
     "Clases de inglés para empresas", "Salas para talleres"),
    ("es", "Gestora de coworking", "Dirijo un coworking con 60 puestos.",
     "Salas para talleres y puestos flexibles", "Comunidad de freelancers"),
    ("en", "Bookkeeper", "I keep the books for cafés and small shops.",
     "Bookkeeping for small shops", "More clients in retail"),
    ("en", "Product designer", "I design mobile apps for health startups.",
     "UX reviews and prototypes", "A technical co-founder"),
    ("en", "Angel investor", "I invest in early-stage food and retail startups.",
     "Seed funding and mentoring", "Startups with paying customers"),
    ("en", "Printer", "Family print shop: labels, packaging, posters.",
     "Printing for labels and packaging", "Designers who send us work"),
    ("en", "Software engineer", "Backend engineer, Python and PostgreSQL.",
     "Code reviews and technical advice", "A side project with real users"),
    ("en", "Marketing consultant", "I run social media for independent brands.",
     "Social media strategy", "Product photography"),
    ("en", "Olive oil producer", "Third-generation olive grove in Jaén.",
     "Extra virgin olive oil in bulk", "European distributors"),
    ("en", "HR lead", "People operations at a 40-person agency.",
     "Hiring advice for small teams", "Business English training"),
    ("en", "Community manager", "I run meetups for freelancers in the city.",
     "A community of freelancers", "Workshop rooms"),
    ("en", "Sustainable footwear maker", "Handmade shoes from recycled materials.",
     "Sustainable shoes wholesale", "Shop windows to show our shoes"),
]
# Twenty Spanish speakers, then twenty English speakers: a person's name, trade, company,
# card text, phone and notes all speak their language.
FIRST = {"es": ["Ana", "Luis", "María", "José", "Lucía", "Javier", "Carmen", "Diego", "Elena",
                "Pablo", "Sofía", "Andrés", "Marta", "Raúl", "Inés", "Tomás", "Paula", "Álvaro",
                "Nuria", "Iván"],
         "en": ["Emma", "James", "Olivia", "Noah", "Grace", "Liam", "Chloe", "Ethan", "Hannah",
                "Owen", "Zoe", "Samuel", "Ruth", "Daniel", "Amira", "Kenji", "Priya", "Tom",
                "Fatima", "Ben"]}
LAST = {"es": ["García", "Núñez", "Martín", "López", "Sánchez", "Pérez", "Gómez", "Fernández",
               "Ruiz", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro", "Torres",
               "Domínguez", "Gil", "Vázquez", "Serrano"],
        "en": ["Smith", "Brown", "Wilson", "Taylor", "Clarke", "Walker", "Hughes", "Green",
               "Hall", "Wood", "Evans", "King", "Baker", "Hill", "Haddad", "Sato", "Patel",
               "Murphy", "Rahman", "Cohen"]}
PHONES = {"es": "+34 600 {:06d}", "en": "+44 7700 {:06d}"}
# Companies in the order of TRADES: the first ten Spanish, the last ten English.
COMPANIES = ["Estudio Norte", "La Masa Madre", "Cuentas Claras", "Pasos Verdes", "Lexia Abogados",
             "Tienda Viva", "Luz de Producto", "Exporta Sur", "Talk Business", "Colmena Cowork",
             "Ledger & Co", "Pulse Health", "Seedling Capital", "Inkwell Print", "Byteforge",
             "Brandhouse", "Jaén Groves", "Northside Agency", "Freelance Circle", "ReSole"]
NOTES = {"es": ["Conoce proveedores para zapaterías", "Quiere hablar de exportar a Alemania",
                "Hacer café la semana que viene"],
         "en": ["Send her the bookkeeping checklist", "Possible intro to Seedling Capital",
                "Needs labels printed by March"]}
PEOPLE = 40
EN = PEOPLE // 2  # the first English speaker, whose link `checkin demo` prints beside Ana's


def demo_person(i: int) -> dict:
    """The ``i``-th demo person's card: a Spanish speaker for the first half, then English."""
    lang = "es" if i < EN else "en"
    n = i % EN
    trade = n % 10 + (0 if lang == "es" else 10)
    _lang, headline, what, offer, need = TRADES[trade]
    first, last = FIRST[lang][n], LAST[lang][n]
    return {"first_name": first, "last_name": last, "language": lang,
            "email": f"{fold(first)}.{fold(last)}@example.com", "headline": headline,
            "company": COMPANIES[trade], "what_i_do": what, "offer": offer, "need": need,
            "pitch": "· " + what + "\n· " + offer, "phone": PHONES[lang].format(100000 + i * 137),
            "share_phone": i % 3 == 0, "links": [f"https://example.com/{fold(first)}"]}


def demo_exists() -> bool:
    return db.session.scalar(select(func.count()).select_from(Event)) > 0


# Who came to the past breakfast (by their place among the forty): both people whose links
# are printed, and most of those they meet again tonight.
AT_BREAKFAST = [0, 1, 2, 3, 4, 5, 6, 7, 11, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 33]
# Who met at the breakfast (places among the forty), some of whom meet again tonight.
BREAKFAST_PAIRS = [(0, 3), (0, 5), (4, 0), (20, 3), (20, 23), (21, 20), (1, 2), (6, 7),
                   (17, 18), (24, 25), (26, 27), (28, 33), (5, 22), (19, 11)]
BREAKFAST_NOTES = {"es": "Nos conocimos en el desayuno: retomar lo de la feria",
                   "en": "Met at the breakfast: follow up on the trade fair"}


def create_demo(base_url: str, seed: int = 7) -> Event:
    """Create the demo organizer and community: a breakfast three weeks ago (closed) and
    tonight's event (open) with forty attendees, arrivals and connections; many were at
    both, some met at both. Half of the members are listed in the directory."""
    rng = random.Random(seed)
    organizer = db.session.scalar(select(Organizer).filter_by(email=DEMO_ORGANIZER))
    if organizer is None:
        organizer = create_organizer(DEMO_ORGANIZER, DEMO_PASSWORD, name="Demo organizer")
    community = new_community(organizer, DEMO_COMMUNITY, default_language="es")
    db.session.commit()
    start = now_utc().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    breakfast = (start - timedelta(days=21)).astimezone(ZoneInfo("Europe/Madrid"))
    create_breakfast(organizer, community, breakfast.replace(hour=8, minute=30))
    event = create_event(
        organizer, "Networking Night · Noche de Networking", start, start + timedelta(hours=4),
        "Europe/Madrid", slug=DEMO_SLUG, venue="Colmena Cowork, Calle Mayor 12, Madrid",
        default_language="es", walk_ins_allowed=True, community=community,
    )
    open_event(event)
    attendees = [register_attendee(
        event, source=AttendeeSource.DEMO, ticket_code=f"DEMO-{1000 + i}", ticket_source="demo",
        ticket_type="Speaker" if i % 10 == 0 else "General", **demo_person(i))
        for i in range(PEOPLE)]
    # Three in four have a photo on their card (drawn, not downloaded); the rest show initials.
    for i, attendee in enumerate(attendees):
        if i % 4 != 3:
            replace_photo(attendee.person, process_photo(drawn_portrait(seed * 1000 + i)))
    db.session.commit()
    arrived = attendees[:13] + attendees[EN:EN + 13]  # both halves were there
    ana, emma = 0, 13  # their places in ``arrived``
    for n, attendee in enumerate(arrived):
        at = start + timedelta(minutes=5 + n * 3 + rng.randint(0, 2))
        check_in(event, attendee.card_code, nonce=f"demo-{attendee.id}", scanned_at=at,
                 gate="Door 1" if n % 2 else "Door 2", device="demo")
    # The two attendees whose links `checkin demo` prints have met people already.
    pairs = [(ana, 3), (ana, 17), (11, ana), (emma, 3), (emma, 20), (15, emma)]
    pairs += [tuple(rng.sample(range(len(arrived)), 2)) for _ in range(24)]
    for n, (i, j) in enumerate(pairs):
        a, b = arrived[i], arrived[j]
        connection, new = record_connection(a, b, at=start + timedelta(minutes=40 + n * 2))
        if new and n % 3 == 0:
            notes = NOTES[a.person.language]
            write_note(a, connection, notes[n % len(notes)])
    for n, attendee in enumerate(attendees):
        attendee.person.listed = n % 2 == 0
    db.session.commit()
    return event


def create_breakfast(organizer: Organizer, community, start) -> Event:
    """The community's past event: who came, who met, a few notes; closed since."""
    event = create_event(
        organizer, "Networking Breakfast · Desayuno de Networking", start,
        start + timedelta(hours=2), "Europe/Madrid", slug=PAST_SLUG,
        venue="Colmena Cowork, Calle Mayor 12, Madrid", default_language="es",
        community=community)
    open_event(event)
    came = {i: register_attendee(event, source=AttendeeSource.DEMO,
                                 ticket_code=f"DEMO-B-{1000 + i}", ticket_source="demo",
                                 **demo_person(i)) for i in AT_BREAKFAST}
    for n, attendee in enumerate(came.values()):
        check_in(event, attendee.card_code, nonce=f"demo-b-{attendee.id}",
                 scanned_at=start + timedelta(minutes=3 + n * 2), gate="Door 1", device="demo")
    for n, (i, j) in enumerate(BREAKFAST_PAIRS):
        a, b = came[i], came[j]
        connection, _new = record_connection(a, b, at=start + timedelta(minutes=30 + n * 3))
        if n % 2 == 0:
            write_note(a, connection, BREAKFAST_NOTES[a.person.language])
    close_event(event)
    return event


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no event yet.")
@with_appcontext
def demo_command(if_empty):
    """Create the demo event and print how to sign in to it (never in production)."""
    if current_app.config["CHECKIN_ENV"] == "production":
        # The demo owner's password is printed here and in the source: anyone could sign in.
        raise click.UsageError("The demo is not for production (CHECKIN_ENV=production): it "
                               "makes an organizer whose password is published.")
    base_url = current_app.config["CHECKIN_BASE_URL"]
    wanted = not (if_empty and demo_exists())
    if wanted and db.session.scalar(select(Event.id).filter_by(slug=DEMO_SLUG)) is None:
        create_demo(base_url)
        click.echo(f"Created the demo community ({DEMO_COMMUNITY}): a past event and a live "
                   "one.")
    event = db.session.scalar(select(Event).filter_by(slug=DEMO_SLUG))
    if event is None:
        return
    click.echo(f"Console:   {base_url}/console/  ({DEMO_ORGANIZER} / {DEMO_PASSWORD})")
    for language, name in (("es", "español"), ("en", "English")):
        attendee = db.session.scalar(
            select(Attendee).join(Person, Person.id == Attendee.person_id)
            .where(Attendee.event_id == event.id, Attendee.source == AttendeeSource.DEMO,
                   Person.language == language).order_by(Attendee.id).limit(1))
        if attendee is not None:
            link = signin_url(issue_signin_link(attendee))
            click.echo(f"Attendee:  {attendee.person.display_name} ({name}): {link}")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
