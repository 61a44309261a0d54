"""Introductions: Ana introduces Luis to Pedro, whom she met at different events. Luis is
asked first, privately; Pedro only once Luis says yes; both say yes and one email goes to
each with the other's card, and they are in each other's network, "introduced by Ana".
Nobody's details move before both said yes, and Ana never learns who said no."""

from datetime import timedelta

import pytest
import vobject
from sqlalchemy import select, update

from checkin.columns import now_utc
from checkin.connections.services import remove_connection
from checkin.errors import DomainError
from checkin.events.services import close_event, reopen_event
from checkin.extensions import db
from checkin.introductions import services
from checkin.introductions.models import Introduction
from checkin.introductions.services import answer, introduce
from checkin.mail.models import OutboxMessage
from checkin.mail.sender import deliver_pending
from checkin.people.services import update_card
from tests.conftest import login
from tests.factories import make_attendee, make_connection, make_event, make_organizer
from tests.people_helpers import sign_in_as

REASON = "He prints labels for small shops and can help with yours."


@pytest.fixture
def circle(owner):
    """Ana met Luis at a breakfast (closed) and Pedro tonight; Luis and Pedro never met, nor
    were they ever at one event. Luis reads Spanish, Pedro English."""
    breakfast = make_event(owner, name="Breakfast", starts_at=now_utc() - timedelta(days=20))
    tonight = make_event(owner, name="Networking Night")
    ana_then = make_attendee(breakfast, first_name="Ana", last_name="García",
                             email="ana@example.com")
    luis = make_attendee(breakfast, first_name="Luis", last_name="Núñez",
                         email="luis@example.com")
    ana = make_attendee(tonight, first_name="Ana", last_name="García", email="ana@example.com")
    pedro = make_attendee(tonight, first_name="Pedro", last_name="Ruiz",
                          email="pedro@example.com")
    update_card(luis.person, language="es", headline="Zapatería Núñez", share_phone=True,
                phone="+34 600 111 222", need="Etiquetas para mis cajas")
    update_card(pedro.person, language="en", headline="Printer", company="Imprenta Ruiz",
                share_phone=True, phone="+34 600 333 444", offer="Labels and packaging")
    make_connection(ana_then, luis)
    close_event(breakfast)
    make_connection(ana, pedro)
    return {"breakfast": breakfast, "tonight": tonight, "ana": ana, "ana_then": ana_then,
            "luis": luis, "pedro": pedro, "slug": tonight.community.slug}


def client_of(app, attendee):
    client = app.test_client()
    sign_in_as(client, attendee)
    return client


def outbox(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def ana_introduces(app, circle, reason=REASON):
    ana = client_of(app, circle["ana"])
    page = ana.post(f"/community/{circle['slug']}/introduce", data={
        "first": circle["luis"].person_id, "second": circle["pedro"].person_id,
        "reason": reason})
    assert page.status_code == 303, page.text
    return ana, db.session.scalar(select(Introduction))


def test_the_first_is_asked_privately_in_the_app_and_by_email_in_their_language(app, circle):
    ana, introduction = ana_introduces(app, circle)
    (ask,) = outbox()
    assert ask.kind == "introduction_ask" and ask.to_address == "luis@example.com"
    assert ask.event_id is None  # in no event's outbox: the organizer never sees it
    assert ask.subject == "Ana García quiere presentarte a Pedro Ruiz"
    assert REASON in ask.text_body and "Printer" in ask.text_body
    assert "+34 600 333 444" not in ask.text_body + ask.html_body  # Pedro has not said yes
    assert f"/community/{circle['slug']}/introductions" in ask.text_body
    luis = client_of(app, circle["luis"])
    page = luis.get(f"/community/{circle['slug']}/introductions")
    assert "Ana García quiere presentarte a Pedro Ruiz." in page.text and REASON in page.text
    assert "+34 600 333 444" not in page.text
    assert 'aria-label="1 esperando tu respuesta"' in page.text  # the count in the tabs
    # Pedro is not asked, and cannot see it or answer it, before Luis says yes.
    pedro = client_of(app, circle["pedro"])
    assert REASON not in pedro.get(f"/community/{circle['slug']}/introductions").text
    refused = pedro.post(f"/community/{circle['slug']}/introductions/{introduction.id}/yes")
    assert refused.status_code == 404
    made = ana.get(f"/community/{circle['slug']}/introductions")
    assert "Waiting" in made.text and "Luis Núñez" in made.text


def test_the_first_says_not_now_the_second_is_never_asked_and_nothing_moves(app, circle):
    ana, introduction = ana_introduces(app, circle)
    luis = client_of(app, circle["luis"])
    page = luis.post(f"/community/{circle['slug']}/introductions/{introduction.id}/not-now",
                     follow_redirects=True)
    assert "Nadie sabrá quién lo dijo" in page.text
    assert [m.to_address for m in outbox()] == ["luis@example.com"]  # Pedro: nothing
    pedro = client_of(app, circle["pedro"])
    assert REASON not in pedro.get(f"/community/{circle['slug']}/introductions").text
    network = luis.get(f"/community/{circle['slug']}/network").text
    assert "Pedro Ruiz" not in network and "+34 600 333 444" not in network
    assert "Luis" not in pedro.get(f"/community/{circle['slug']}/network").text
    made = ana.get(f"/community/{circle['slug']}/introductions").text
    assert "Not now" in made and "declined" not in made.lower()
    # Answering again changes nothing.
    again = luis.post(f"/community/{circle['slug']}/introductions/{introduction.id}/yes")
    assert again.status_code == 409
    assert len(outbox()) == 1


def test_the_second_says_not_now_the_introducer_sees_only_not_now(app, circle):
    ana, introduction = ana_introduces(app, circle)
    answer(circle["luis"].person, introduction.id, accept=True)
    answer(circle["pedro"].person, introduction.id, accept=False)
    assert outbox("introduction") == []
    made = ana.get(f"/community/{circle['slug']}/introductions").text
    assert "Not now" in made
    # Luis said yes: he reads "waiting" until Pedro's time runs out, never Pedro's no.
    luis = client_of(app, circle["luis"]).get(f"/community/{circle['slug']}/introductions")
    assert "Dijiste que sí. Le preguntamos a Pedro Ruiz" in luis.text
    assert "+34 600 333 444" not in luis.text


def test_both_say_yes_one_email_each_with_the_others_card_and_connected_in_both_networks(
        app, circle, smtp_server):
    ana, introduction = ana_introduces(app, circle)
    luis = client_of(app, circle["luis"])
    luis.post(f"/community/{circle['slug']}/introductions/{introduction.id}/yes")
    (to_pedro,) = [m for m in outbox("introduction_ask") if m.to_address == "pedro@example.com"]
    assert to_pedro.subject == "Ana García would like to introduce you to Luis Núñez"
    assert "who has said yes" in to_pedro.text_body
    assert "+34 600 111 222" not in to_pedro.text_body + to_pedro.html_body
    pedro = client_of(app, circle["pedro"])
    page = pedro.post(f"/community/{circle['slug']}/introductions/{introduction.id}/yes",
                      follow_redirects=True)
    assert "You and Luis Núñez are introduced" in page.text

    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    deliver_pending()
    introduced = [m for m in smtp_server.messages if "ask" not in m["Subject"].lower()
                  and ("presenta a" in m["Subject"] or "introduces you" in m["Subject"])]
    by_to = {m["To"]: m for m in introduced}
    assert sorted(by_to) == ["luis@example.com", "pedro@example.com"]  # one to each
    to_luis, to_pedro = by_to["luis@example.com"], by_to["pedro@example.com"]
    assert to_luis["Subject"] == "Ana García te presenta a Pedro Ruiz"
    luis_text = to_luis.get_body(("plain",)).get_content()
    assert "+34 600 333 444" in luis_text and "Labels and packaging" in luis_text
    assert REASON in luis_text
    assert to_pedro["Subject"] == "Ana García introduces you to Luis Núñez"
    pedro_text = to_pedro.get_body(("plain",)).get_content()
    assert "+34 600 111 222" in pedro_text and "Etiquetas para mis cajas" in pedro_text
    vcf = next(p for p in to_pedro.walk() if p.get_filename() == "Luis Núñez.vcf")
    card = vobject.readOne(vcf.get_payload(decode=True).decode())
    assert card.fn.value == "Luis Núñez" and card.tel.value == "+34 600 111 222"
    assert "Introduced by Ana García" in card.note.value

    luis_network = luis.get(f"/community/{circle['slug']}/network").text
    assert "Pedro Ruiz" in luis_network and "Presentación de Ana García" in luis_network
    assert "+34 600 333 444" in luis_network
    pedro_network = pedro.get(f"/community/{circle['slug']}/network").text
    assert "Luis Núñez" in pedro_network and "Introduced by Ana García" in pedro_network
    cards = {c.fn.value: c for c in vobject.readComponents(
        pedro.get(f"/community/{circle['slug']}/network.vcf").text)}
    assert "Introduced by Ana García" in cards["Luis Núñez"].note.value
    csv_text = pedro.get(f"/community/{circle['slug']}/network.csv").text
    assert "Luis Núñez" in csv_text and "Introduced by Ana García" in csv_text
    assert "Introduced" in ana.get(f"/community/{circle['slug']}/introductions").text
    # Connected now: introducing them again is refused.
    with pytest.raises(DomainError) as refused:
        introduce(make_attendee(circle["tonight"]).person, circle["luis"].person_id,
                  circle["pedro"].person_id, REASON)
    assert refused.value.code == "not_a_contact"


def test_the_introducer_must_be_connected_to_both(app, circle):
    stranger = make_attendee(circle["tonight"], first_name="Marta", email="marta@example.com")
    ana = client_of(app, circle["ana"])
    page = ana.post(f"/community/{circle['slug']}/introduce", data={
        "first": circle["luis"].person_id, "second": stranger.person_id, "reason": REASON})
    assert page.status_code == 403
    assert "You can introduce only people in your network." in page.text
    assert outbox() == [] and db.session.scalar(select(Introduction)) is None
    # Someone of another community is nobody's contact here.
    elsewhere = make_attendee(make_event(make_organizer()), email="zoe@example.com")
    with pytest.raises(DomainError) as refused:
        introduce(circle["ana"].person, circle["luis"].person_id, elsewhere.person_id, REASON)
    assert refused.value.code == "not_a_contact"


def test_nobody_introduces_themself_nor_someone_to_themself(circle):
    ana, luis = circle["ana"].person, circle["luis"].person
    for first, second, code in ((ana.id, luis.id, "introducing_oneself"),
                                (luis.id, ana.id, "introducing_oneself"),
                                (luis.id, luis.id, "same_person")):
        with pytest.raises(DomainError) as refused:
            introduce(ana, first, second, REASON)
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        introduce(ana, luis.id, circle["pedro"].person_id, "   ")
    assert refused.value.code == "reason_missing"
    assert outbox() == []


def test_not_two_people_already_connected_nor_the_same_pair_twice(circle):
    ana, luis, pedro = circle["ana"].person, circle["luis"].person, circle["pedro"].person
    marta = make_attendee(circle["tonight"], first_name="Marta", email="marta@example.com")
    make_connection(circle["ana"], marta)
    make_connection(circle["pedro"], marta)
    with pytest.raises(DomainError) as refused:
        introduce(ana, pedro.id, marta.person_id, REASON)
    assert refused.value.code == "already_connected"
    first = introduce(ana, luis.id, pedro.id, REASON)
    answer(luis, first.id, accept=False)
    for a, b in ((luis.id, pedro.id), (pedro.id, luis.id)):  # a "not now" is not asked again
        with pytest.raises(DomainError) as refused:
            introduce(ana, a, b, REASON)
        assert refused.value.code == "already_introduced"


def test_not_someone_who_removed_me_and_never_two_who_removed_each_other(app, circle):
    ana, pedro = circle["ana"], circle["pedro"]
    remove_connection(pedro, ana)  # Pedro did not recognise Ana
    with pytest.raises(DomainError) as refused:
        introduce(ana.person, circle["luis"].person_id, pedro.person_id, REASON)
    assert refused.value.code == "not_a_contact"
    # Luis and Marta met once and Marta removed him: Ana's introduction asks nobody, and
    # reads "not now" to her like any other.
    marta = make_attendee(circle["breakfast"], first_name="Marta", email="marta@example.com")
    reopen_event(circle["breakfast"])
    make_connection(marta, circle["luis"])
    make_connection(marta, circle["ana_then"])
    remove_connection(marta, circle["luis"])
    close_event(circle["breakfast"])
    introduction = introduce(ana.person, circle["luis"].person_id, marta.person_id, REASON)
    assert outbox() == []
    assert services.outcome(introduction) == "not_now"
    luis = client_of(app, circle["luis"])
    assert REASON not in luis.get(f"/community/{circle['slug']}/introductions").text


def test_caps_per_day_and_waiting(circle, monkeypatch):
    ana = circle["ana"]
    people = [make_attendee(circle["tonight"], email=f"p{n}@example.com") for n in range(5)]
    for person in people:
        make_connection(ana, person)
    monkeypatch.setattr(services, "WAITING_LIMIT", 2)
    introduce(ana.person, people[0].person_id, people[1].person_id, REASON)
    introduce(ana.person, people[0].person_id, people[2].person_id, REASON)
    with pytest.raises(DomainError) as refused:
        introduce(ana.person, people[0].person_id, people[3].person_id, REASON)
    assert refused.value.code == "too_many_waiting" and refused.value.status == 429
    monkeypatch.setattr(services, "WAITING_LIMIT", 100)
    monkeypatch.setattr(services, "DAILY_LIMIT", 3)
    introduce(ana.person, people[0].person_id, people[3].person_id, REASON)
    with pytest.raises(DomainError) as refused:
        introduce(ana.person, people[0].person_id, people[4].person_id, REASON)
    assert refused.value.code == "too_many_today"
    assert len(outbox()) == 3


def test_an_unanswered_introduction_expires_quietly(app, circle):
    ana, introduction = ana_introduces(app, circle)
    db.session.execute(update(Introduction).values(expires_at=now_utc() - timedelta(seconds=1)))
    db.session.commit()
    luis = client_of(app, circle["luis"])
    assert REASON not in luis.get(f"/community/{circle['slug']}/introductions").text
    late = luis.post(f"/community/{circle['slug']}/introductions/{introduction.id}/yes")
    assert late.status_code == 409
    assert "Not now" in ana.get(f"/community/{circle['slug']}/introductions").text
    # The ask still in the outbox is not sent once its time has passed.
    assert deliver_pending().dropped == 1


def test_works_after_the_event_closed_and_counts_in_its_summary_only(app, client, circle,
                                                                     owner):
    close_event(circle["tonight"])
    _ana, introduction = ana_introduces(app, circle)
    answer(circle["luis"].person, introduction.id, accept=True)
    answer(circle["pedro"].person, introduction.id, accept=True)
    assert introduction.event_id == circle["tonight"].id
    login(client, owner)
    slug = circle["tonight"].slug
    summary = client.get(f"/console/events/{slug}/summary")
    assert "Introductions made" in summary.text and "Introductions completed" in summary.text
    from checkin.followups.summary import event_summary, render_summary

    figures = event_summary(circle["tonight"])
    assert (figures.introductions_made, figures.introductions_completed) == (1, 1)
    assert event_summary(circle["breakfast"]).introductions_made == 0
    assert "Introductions completed: 1" in render_summary(circle["tonight"], owner).text
    # No organizer page, export or API says who was introduced to whom, or why.
    from tests.factories import make_api_token

    _token, secret = make_api_token(owner)
    api = {"Authorization": f"Bearer {secret}"}
    for event in (circle["tonight"], circle["breakfast"]):
        for path in (f"/console/events/{event.slug}/summary",
                     f"/console/events/{event.slug}/attendees",
                     f"/console/events/{event.slug}/outbox",
                     f"/console/events/{event.slug}/followups",
                     f"/console/events/{event.slug}/exports/connections.csv",
                     f"/console/events/{event.slug}/exports/attendees.csv"):
            page = client.get(path, buffered=True)
            assert page.status_code == 200, path
            assert REASON not in page.text and "introduce you" not in page.text, path
        connections = client.get(f"/api/v1/events/{event.slug}/connections", headers=api)
        assert connections.status_code == 200
        names = str(connections.json)
        assert not ("Luis" in names and "Pedro" in names)
        summary_mail = render_summary(event, owner)
        assert REASON not in summary_mail.text
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert not [path for path in paths if "introduc" in path]


def test_who_may_not_use_the_introduction_pages(app, circle, owner):
    _ana, introduction = ana_introduces(app, circle)
    slug = circle["slug"]
    routes = [("get", f"/community/{slug}/introductions"), ("get", f"/community/{slug}/introduce"),
              ("post", f"/community/{slug}/introduce"),
              ("post", f"/community/{slug}/introductions/{introduction.id}/yes"),
              ("post", f"/community/{slug}/introductions/{introduction.id}/not-now")]
    anonymous = app.test_client()
    organizer = app.test_client()
    login(organizer, owner)
    elsewhere = client_of(app, make_attendee(make_event(make_organizer()),
                                             email="luis@example.com"))
    for client in (anonymous, organizer, elsewhere):
        for method, path in routes:
            page = getattr(client, method)(path, data={"first": circle["luis"].person_id,
                                                       "second": circle["pedro"].person_id,
                                                       "reason": REASON})
            assert page.status_code == 403, (method, path)
            assert REASON not in page.text and "Pedro" not in page.text
    # Ana made it, but it is not hers to answer; Pedro's turn has not come.
    for person in ("ana", "pedro"):
        page = client_of(app, circle[person]).post(
            f"/community/{slug}/introductions/{introduction.id}/yes")
        assert page.status_code == 404
    assert db.session.get(Introduction, introduction.id).state == "asking_first"
    assert [m.to_address for m in outbox()] == ["luis@example.com"]


def test_the_introduce_form_in_both_languages_from_people_i_met_and_my_network(app, circle):
    ana = client_of(app, circle["ana"])
    met = ana.get(f"/e/{circle['tonight'].slug}/met").text
    link = f"/community/{circle['slug']}/introduce?first={circle['pedro'].person_id}"
    assert link in met
    network = ana.get(f"/community/{circle['slug']}/network").text
    assert f"first={circle['luis'].person_id}" in network
    form = ana.get(link, headers={"Accept-Language": "en"})
    assert "Introduce two people" in form.text
    assert f'<option selected value="{circle["pedro"].person_id}">' in form.text
    spanish = ana.get(link, headers={"Accept-Language": "es"})
    assert "Presenta a dos personas" in spanish.text
    # A refusal shows beside the field, in the page's language.
    page = ana.post(f"/community/{circle['slug']}/introduce", headers={"Accept-Language": "es"},
                    data={"first": circle["luis"].person_id,
                          "second": circle["luis"].person_id, "reason": REASON})
    assert page.status_code == 400 and "Elige a dos personas distintas." in page.text
    empty = ana.post(f"/community/{circle['slug']}/introduce",
                     data={"first": circle["luis"].person_id,
                           "second": circle["pedro"].person_id, "reason": ""})
    assert empty.status_code == 400 and "Say in a sentence why they should meet." in empty.text


def test_my_data_holds_the_introductions_i_made_and_those_made_to_me(app, circle):
    ana, introduction = ana_introduces(app, circle)
    mine = ana.get(f"/e/{circle['tonight'].slug}/me/data.json").get_json()["introductions"]
    assert mine["made"] == [{"first": "Luis Núñez", "second": "Pedro Ruiz", "reason": REASON,
                             "made_at": introduction.created_at.isoformat(),
                             "outcome": "waiting"}]
    luis = client_of(app, circle["luis"])
    his = luis.get(f"/e/{circle['breakfast'].slug}/me/data.json").get_json()["introductions"]
    assert his["to_me"][0]["to"] == "Pedro Ruiz" and his["to_me"][0]["waiting_for_my_answer"]
    pedro = client_of(app, circle["pedro"])  # not asked yet: not his to see
    assert pedro.get(f"/e/{circle['tonight'].slug}/me/data.json").get_json()[
        "introductions"] == {"made": [], "to_me": []}


def test_the_link_outlives_the_introducer_leaving_but_not_either_of_the_two(app, circle):
    from checkin.people.guests import remove_member

    _ana, introduction = ana_introduces(app, circle)
    answer(circle["luis"].person, introduction.id, accept=True)
    answer(circle["pedro"].person, introduction.id, accept=True)
    luis_id, pedro_id = circle["luis"].person_id, circle["pedro"].person_id
    remove_member(circle["ana"].person)
    pedro = client_of(app, circle["pedro"])
    network = pedro.get(f"/community/{circle['slug']}/network").text
    assert "Luis Núñez" in network and "Ana" not in network
    from checkin.people.models import Person

    remove_member(db.session.get(Person, luis_id))
    assert db.session.scalar(select(Introduction)) is None
    assert "Luis" not in pedro.get(f"/community/{circle['slug']}/network").text
    assert db.session.get(Person, pedro_id) is not None
