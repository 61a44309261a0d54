"""People to meet here: a small hand-made event where the right answer is known."""

from datetime import timedelta

import pytest
from flask_babel import force_locale

from checkin.connections.services import remove_connection
from checkin.door.models import ScanKind
from checkin.events.services import close_event
from checkin.meet import live as live_module
from checkin.meet.services import circle_of, field_of, people_to_meet
from checkin.meeting_requests.services import ask_to_meet, decline_request
from checkin.people.services import update_card
from tests import factories
from tests.people_helpers import sign_in_as

LUIS = {"display_name": "Luis", "headline": "Zapatero", "company": "Zapatería Luis",
        "what_i_do": "Zapatos a mano para tiendas",
        "offer": "Calzado para uniformes", "need": "Etiquetas y cajas impresas; contabilidad"}
ANA = {"display_name": "Ana", "headline": "Diseñadora de etiquetas", "company": "Estudio Ana",
       "what_i_do": "Diseño etiquetas y cajas para tiendas",
       "offer": "Etiquetas y cajas impresas", "need": "Imprenta"}
# Four printers of labels and boxes: in Luis's circle (Ana, whom he met, does labels and boxes).
PRINTERS = [
    {"display_name": name, "headline": f"Imprenta de etiquetas {name}",
     "what_i_do": "Imprimo etiquetas y cajas", "offer": "Etiquetas, cajas impresas",
     "need": "Tiendas de barrio"}
    for name in ("Pedro", "Diego", "Elena", "Fede")
]
# An accountant: she meets one of Luis's needs, and shares no word of his circle.
CARMEN = {"display_name": "Carmen", "headline": "Asesora fiscal", "company": "Gestoría Carmen",
          "what_i_do": "Impuestos y nóminas", "offer": "Contabilidad", "need": "Clientes"}
BEST = {"offer": "Etiquetas, cajas impresas y contabilidad", "what_i_do": "Imprenta"}


@pytest.fixture(autouse=True)
def every_view_catches_up(monkeypatch):
    """A test's views follow each other within the second a process waits between reads."""
    monkeypatch.setattr(live_module, "CATCH_UP_EVERY", 0)


def names(picks):
    return [p.person.display_name for p in picks]


@pytest.fixture
def room(owner):
    """Luis, who met Ana; four printers and Carmen checked in."""
    event = factories.make_event(owner, name="Noche")
    luis = factories.make_attendee(event, language="es", **LUIS)
    ana = factories.make_attendee(event, **ANA)
    people = {"Luis": luis, "Ana": ana}
    for card in [*PRINTERS, CARMEN]:
        people[card["display_name"]] = factories.make_attendee(event, **card)
    for attendee in people.values():
        factories.make_checkin(attendee)
    factories.make_connection(luis, ana)
    return event, people


def test_the_best_matches_and_one_outside_my_circle(app, room):
    _event, people = room
    picks = people_to_meet(people["Luis"])
    # The printers share more of his words than Carmen, but all four are in his circle: the
    # last place goes to her, and the reason says why.
    assert names(picks) == ["Pedro", "Diego", "Elena", "Carmen"]
    assert [p.outside for p in picks] == [False, False, False, True]
    circle = circle_of(people["Luis"])
    carmen = people["Carmen"].person
    assert field_of(carmen.headline, carmen.what_i_do, carmen.company).isdisjoint(circle.field)
    pedro = people["Pedro"].person
    assert not field_of(pedro.headline, pedro.what_i_do, pedro.company).isdisjoint(circle.field)


def test_the_reasons_in_plain_words_in_both_languages(app, room):
    _event, people = room
    with force_locale("es"):
        picks = people_to_meet(people["Luis"])
    assert picks[0].reason == ("Pedro ofrece «Etiquetas, cajas impresas»; tú necesitas "
                               "«Etiquetas y cajas impresas; contabilidad».")
    assert picks[-1].reason == ("Alguien fuera de tu círculo habitual: Carmen ofrece "
                                "«Contabilidad»; tú necesitas «Etiquetas y cajas impresas; "
                                "contabilidad».")
    with force_locale("en"):
        picks = people_to_meet(people["Luis"])
    assert picks[-1].reason == ("Someone outside your usual circle: Carmen offers "
                                "“Contabilidad”; you need “Etiquetas y cajas impresas; "
                                "contabilidad”.")


def test_an_outside_match_among_the_best_is_said_in_its_place(app, room):
    event, people = room
    for name in ("Diego", "Elena", "Fede"):
        update_card(people[name].person, suggestible=False)
    picks = people_to_meet(people["Luis"])
    assert names(picks) == ["Pedro", "Carmen"]
    assert [p.outside for p in picks] == [False, True]


def test_someone_outside_even_without_a_match(app, room):
    event, people = room
    update_card(people["Carmen"].person, suggestible=False)
    ceramist = factories.make_attendee(event, display_name="Marta", headline="Ceramista",
                                       what_i_do="Tazas de gres", offer="Talleres de torno")
    factories.make_checkin(ceramist)
    with force_locale("en"):
        picks = people_to_meet(people["Luis"])
    assert names(picks) == ["Pedro", "Diego", "Elena", "Marta"]
    assert picks[-1].outside
    assert picks[-1].reason == "Someone outside your usual circle: Marta, Ceramista."


def test_met_opted_out_removed_excluded_and_absent_never_appear(app, room):
    event, people = room
    luis = people["Luis"]
    strong = {"offer": "Etiquetas, cajas impresas, contabilidad", "headline": "Imprenta"}
    shy = factories.make_attendee(event, display_name="Shy", suggestible=False, **strong)
    gone = factories.make_attendee(event, display_name="Gone", **strong)
    remover = factories.make_attendee(event, display_name="Remover", **strong)
    removed = factories.make_attendee(event, display_name="Removed", **strong)
    declined = factories.make_attendee(event, display_name="Declined", **strong)
    factories.make_attendee(event, display_name="Absent", **strong)
    for attendee in (shy, gone, remover, removed, declined):
        factories.make_checkin(attendee)
    factories.make_checkin(gone, kind=ScanKind.EXIT)
    factories.make_connection(remover, luis)
    remove_connection(remover, luis)
    factories.make_connection(luis, removed)
    remove_connection(luis, removed)
    shown = names(people_to_meet(luis, exclude={declined.id}))
    assert "Ana" not in shown and "Luis" not in shown
    for name in ("Shy", "Gone", "Remover", "Removed", "Declined", "Absent"):
        assert name not in shown
    assert len(shown) == 4


def test_someone_met_at_an_earlier_event_is_not_suggested_again(app, owner, room):
    event, people = room
    earlier = factories.make_event(owner, starts_at=event.starts_at - timedelta(days=30))
    luis_then = factories.make_attendee(earlier, email=people["Luis"].person.email)
    pedro_then = factories.make_attendee(earlier, email=people["Pedro"].person.email)
    factories.make_connection(luis_then, pedro_then)
    assert "Pedro" not in names(people_to_meet(people["Luis"]))


def test_a_new_arrival_appears_and_someone_i_meet_leaves_the_list(app, room):
    event, people = room
    luis = people["Luis"]
    assert "Julia" not in names(people_to_meet(luis))
    julia = factories.make_attendee(event, display_name="Julia", **BEST)
    assert "Julia" not in names(people_to_meet(luis))  # registered, not here yet
    factories.make_checkin(julia)
    assert names(people_to_meet(luis))[0] == "Julia"
    factories.make_connection(luis, julia)
    assert "Julia" not in names(people_to_meet(luis))


def test_a_card_edited_during_the_event_is_matched_as_it_reads_now(app, room):
    event, people = room
    luis = people["Luis"]
    people_to_meet(luis)
    update_card(people["Fede"].person, offer="Etiquetas, cajas impresas, contabilidad")
    assert names(people_to_meet(luis))[0] == "Fede"
    update_card(people["Pedro"].person, suggestible=False)
    assert "Pedro" not in names(people_to_meet(luis))


def test_page_views_catch_up_instead_of_rebuilding(app, room, monkeypatch):
    event, people = room
    luis = people["Luis"]
    people_to_meet(luis)
    builds = []
    monkeypatch.setattr(live_module, "build", lambda e: builds.append(e) or None)
    julia = factories.make_attendee(event, display_name="Julia", **BEST)
    factories.make_checkin(julia)
    assert names(people_to_meet(luis))[0] == "Julia"
    assert builds == []


def test_a_busy_process_reads_what_changed_at_most_once_a_second(app, room, monkeypatch):
    event, people = room
    luis = people["Luis"]
    people_to_meet(luis)
    monkeypatch.setattr(live_module, "CATCH_UP_EVERY", 3600)
    julia = factories.make_attendee(event, display_name="Julia", **BEST)
    factories.make_checkin(julia)
    assert "Julia" not in names(people_to_meet(luis))
    monkeypatch.setattr(live_module, "CATCH_UP_EVERY", 0)
    assert names(people_to_meet(luis))[0] == "Julia"


def test_when_nobody_checked_in_everyone_registered_counts(app, owner):
    event = factories.make_event(owner)
    luis = factories.make_attendee(event, **LUIS)
    carmen = factories.make_attendee(event, **CARMEN)
    assert names(people_to_meet(luis)) == ["Carmen"]
    pedro = factories.make_attendee(event, **PRINTERS[0])
    assert names(people_to_meet(luis)) == ["Pedro", "Carmen"]
    # The door starts being used: from then on only the people who came in.
    factories.make_checkin(pedro)
    assert names(people_to_meet(luis)) == ["Pedro"]
    factories.make_checkin(carmen)
    assert names(people_to_meet(luis)) == ["Pedro", "Carmen"]


def test_only_while_the_event_is_open(app, room):
    event, people = room
    close_event(event)
    assert people_to_meet(people["Luis"]) == []


# --- My card, over HTTP -----------------------------------------------------------------

def test_my_card_shows_people_to_meet_with_face_headline_and_reason(client, room):
    event, people = room
    sign_in_as(client, people["Luis"])  # Luis reads Spanish
    html = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    section = html[html.index('id="to-meet"'):html.index('id="edit"')]
    assert "A quién conocer aquí" in section
    assert section.count('class="met-item') == 4
    assert section.count('class="face') == 4
    assert "Imprenta de etiquetas Pedro" in section and "Asesora fiscal" in section
    assert "Alguien fuera de tu círculo habitual: Carmen ofrece «Contabilidad»" in section
    assert "Ana" not in section
    # Nothing in the list lets anyone connect at a distance: their card code stays theirs.
    for name in ("Pedro", "Carmen"):
        assert people[name].card_code not in html


def test_my_card_in_english(client, room):
    event, people = room
    update_card(people["Luis"].person, language="en")
    sign_in_as(client, people["Luis"])
    html = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "People to meet here" in html
    assert "Someone outside your usual circle: Carmen offers “Contabilidad”" in html


def test_my_card_says_what_to_write_when_it_has_no_offer_or_need(client, owner):
    event = factories.make_event(owner)
    me = factories.make_attendee(event, language="en")
    factories.make_attendee(event, **CARMEN)
    sign_in_as(client, me)
    html = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Write what you offer and what you need on your card" in html
    assert 'class="met-item' not in html  # nothing to match, and no circle to be outside of


def test_no_list_on_my_card_once_the_event_is_closed(client, room):
    event, people = room
    sign_in_as(client, people["Luis"])
    close_event(event)
    html = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert 'id="to-meet"' not in html


def test_people_i_asked_to_meet_leave_the_list_whatever_they_answered(app, room):
    event, people = room
    luis = people["Luis"]
    ask_to_meet(luis, people["Pedro"])  # still pending
    asked = ask_to_meet(luis, people["Diego"])
    decline_request(people["Diego"], asked.request.id)
    shown = names(people_to_meet(luis))
    # Both are gone alike: the list never tells a "not now" from a wait.
    assert "Pedro" not in shown and "Diego" not in shown
    assert shown == ["Elena", "Fede", "Carmen"]


def test_my_card_offers_to_ask_each_person_by_a_signed_link(client, room):
    event, people = room
    update_card(people["Elena"].person, accepts_requests=False)
    sign_in_as(client, people["Luis"])
    html = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    section = html[html.index('id="to-meet"'):html.index('id="edit"')]
    pedro = section[section.index(f'id="meet-{people["Pedro"].id}"'):]
    pedro = pedro[:pedro.index("</li>")]
    assert 'aria-label="Pedir conocer a Pedro"' in pedro
    link = pedro[pedro.index('href="') + 6:pedro.index('" aria-label')]
    assert link.startswith("/r/") and people["Pedro"].card_code not in link
    elena = section[section.index(f'id="meet-{people["Elena"].id}"'):]
    assert "Pedir conocerse" not in elena[:elena.index("</li>")]  # she takes no requests
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and "Pedro" in page.get_data(as_text=True)
