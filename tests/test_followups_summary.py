"""The organizer's summary speaks the organizer's language, writes numbers as that language
does, labels every figure, and names the people who matter in its network drawing."""

import xml.etree.ElementTree as ET

from checkin.accounts.models import Organizer
from checkin.extensions import db
from checkin.followups.network import bridges, groups_of, network_svg
from checkin.followups.summary import event_summary, network_chart, render_summary
from tests import factories
from tests.conftest import login
from tests.test_followups_render import build_meetup


def test_the_summary_speaks_the_language_the_organizer_uses_the_console_in(client, owner):
    event, _ = build_meetup(owner)  # an English event
    assert event.default_language == "en"
    assert render_summary(event, owner).subject.startswith("Summary of")  # never seen yet
    login(client, owner)
    client.get("/console/", headers={"Accept-Language": "es-ES,es;q=0.9"})
    owner = db.session.get(Organizer, owner.id)
    assert owner.language == "es"
    email = render_summary(event, owner)
    assert email.language == "es" and email.subject == "Resumen de Café Networking"
    # Choosing English in the footer is remembered too.
    client.post("/lang", data={"lang": "en", "next": "/console/"})
    client.get("/console/")
    assert render_summary(event, db.session.get(Organizer, owner.id)).language == "en"


def test_numbers_are_written_as_the_language_writes_them(owner):
    event = factories.make_event(owner, name="Cuatro")
    ana, luis, marta, nora = (factories.make_attendee(event) for _n in range(4))
    factories.make_connection(ana, luis)
    factories.make_connection(marta, nora)
    owner.language = "es"
    db.session.commit()
    assert event_summary(event).median == 1.0  # the median of four ones is a float
    email = render_summary(event, owner)
    assert "Mediana de conexiones por persona: 1\n" in email.text
    assert "1.0" not in email.text and "1.0" not in email.html


def test_a_half_median_gets_a_decimal_comma_in_spanish(owner):
    from flask_babel import force_locale

    from checkin.followups.summary import number

    with force_locale("es"):
        assert (number(1.5), number(1.0), number(12345)) == ("1,5", "1", "12.345")
    with force_locale("en"):
        assert (number(1.5), number(1.0), number(12345)) == ("1.5", "1", "12,345")


def test_the_text_part_labels_each_ticket_type_figure(owner):
    event, _ = build_meetup(owner)
    for _n in range(3):
        factories.make_attendee(event, ticket_type="General")
    text = render_summary(event, owner).text
    assert "* General: 3 registered, 0 checked in" in text
    assert " / " not in text.split("By ticket type", 1)[1]
    owner.language = "es"
    db.session.commit()
    assert "* General: 3 inscritos, 0 acreditados" in render_summary(event, owner).text


def test_the_network_names_the_top_connectors_and_the_bridges():
    left = [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)]
    right = [(6, 7), (6, 8), (6, 9), (7, 8), (7, 9), (8, 9)]
    edges = left + right + [(4, 5), (5, 6)]
    groups = groups_of(list(range(1, 10)), edges)
    names = {n: f"Person {n}" for n in range(1, 10)}
    svg = network_svg(names, edges, groups, bridges(edges, groups), title="Who met whom",
                      empty_text="", labels={5: "Eve <the bridge>", 1: "Ana"})
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert sorted(texts) == ["Ana", "Eve <the bridge>"]
    assert "Person 2</text>" not in svg  # only the people who matter are named
    assert "style=" not in svg


def test_the_summary_drawing_names_its_top_connectors(owner):
    event, _ = build_meetup(owner)
    svg = network_chart(event_summary(event))
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "Ana Tester" in texts and "Luis Tester" in texts
