"""Requests to meet on the attendee's pages, in English and Spanish: asking from a card or the
directory, the Requests page and its count, the one-click link from the follow-up, and who
may not use each route."""

import re

import pytest

from checkin.connections.services import connection_between
from checkin.extensions import db
from checkin.followups.render import render_followup
from checkin.mail.models import OutboxMessage
from checkin.mail.private import as_sent
from checkin.meeting_requests.links import ask_token
from checkin.meeting_requests.models import MeetingRequest
from checkin.meeting_requests.services import ask_to_meet, decline_request
from tests.conftest import csrf_token_from, login
from tests.factories import make_attendee, make_event, make_organizer
from tests.people_helpers import sign_in_as
from tests.test_followups_render import build_meetup

SPANISH = {"Accept-Language": "es"}


@pytest.fixture
def luis(event):
    return make_attendee(event, first_name="Luis", last_name="Pérez", email="luis@example.com",
                         headline="Shoe shop owner", need="Sustainable packaging")


@pytest.fixture
def ana(event):
    return make_attendee(event, first_name="Ana", last_name="García", email="ana@example.com",
                         headline="Packaging designer", offer="Packaging design",
                         phone="+34 611 222 333", share_phone=True)


def ask_from_card(client, target, message="I'd like to talk about packaging", **kw):
    return client.post(f"/c/{target.card_code}/ask", data={"message": message}, **kw)


def test_ask_from_a_card_then_accept_on_the_requests_page(app, event, luis, ana):
    luis_phone, ana_phone = app.test_client(), app.test_client()
    sign_in_as(luis_phone, luis)
    sign_in_as(ana_phone, ana)
    card = luis_phone.get(f"/c/{ana.card_code}").text
    assert f'href="/c/{ana.card_code}/ask"' in card
    form = luis_phone.get(f"/c/{ana.card_code}/ask").text
    assert "Ask to meet Ana García" in form and 'maxlength="140"' in form
    response = ask_from_card(luis_phone, ana)
    assert response.status_code == 303 and response.location.endswith(f"/e/{event.slug}/requests")
    mine = luis_phone.get(f"/e/{event.slug}/requests").text
    assert "Ana García" in mine and "Pending" in mine
    # Ana: a count in the navigation, the request with Luis's line and public card.
    page = ana_phone.get(f"/e/{event.slug}/me").text
    assert re.search(r'Requests <span class="count"[^>]*>1</span>', page)
    requests = ana_phone.get(f"/e/{event.slug}/requests").text
    assert "Luis Pérez" in requests and "packaging" in requests
    assert "Sustainable packaging" in requests and "luis@example.com" not in requests
    request = db.session.query(MeetingRequest).one()
    response = ana_phone.post(f"/e/{event.slug}/requests/{request.id}/accept")
    assert response.status_code == 303
    # Connected: each sees the other's shared details; during the event, find each other.
    assert "+34 611 222 333" in luis_phone.get(f"/c/{ana.card_code}").text
    assert "luis@example.com" in ana_phone.get(f"/c/{luis.card_code}").text
    for phone, other in ((luis_phone, "Ana García"), (ana_phone, "Luis Pérez")):
        page = phone.get(f"/e/{event.slug}/requests").text
        find = page[page.index('id="find"'):page.index("Waiting for your answer")]
        assert other in find
    assert "Connected" in luis_phone.get(f"/e/{event.slug}/requests").text
    assert 'class="count"' not in ana_phone.get(f"/e/{event.slug}/me").text


def test_not_now_leaves_the_asker_seeing_pending_and_unable_to_ask_again(app, event, luis, ana):
    luis_phone, ana_phone = app.test_client(), app.test_client()
    sign_in_as(luis_phone, luis)
    sign_in_as(ana_phone, ana)
    ask_from_card(luis_phone, ana)
    request = db.session.query(MeetingRequest).one()
    assert ana_phone.post(f"/e/{event.slug}/requests/{request.id}/decline").status_code == 303
    assert "Luis" not in ana_phone.get(f"/e/{event.slug}/requests").text.split("You asked")[0]
    mine = luis_phone.get(f"/e/{event.slug}/requests").text
    assert "Pending" in mine and "declin" not in mine.lower()
    again = luis_phone.get(f"/c/{ana.card_code}/ask")
    assert again.status_code == 409 and "You already asked to meet Ana García" in again.text
    assert ask_from_card(luis_phone, ana).status_code == 409
    assert db.session.query(MeetingRequest).count() == 1


def test_the_pages_and_the_email_speak_spanish(app, event, luis, ana):
    ana.person.language = "es"
    db.session.commit()
    luis_phone, ana_phone = app.test_client(), app.test_client()
    sign_in_as(luis_phone, luis)
    sign_in_as(ana_phone, ana)
    form = luis_phone.get(f"/c/{ana.card_code}/ask", headers=SPANISH).text
    assert "Pedir conocer a Ana García" in form and "Una línea sobre por qué" in form
    ask_from_card(luis_phone, ana, headers=SPANISH)
    page = ana_phone.get(f"/e/{event.slug}/requests").text
    assert "Esperan tu respuesta" in page and "Aceptar" in page and "Ahora no" in page
    assert ">Peticiones <span" in page
    email = db.session.query(OutboxMessage).filter_by(kind="meeting_request").one()
    assert email.subject == f"Luis Pérez quiere conocerte en {event.name}"
    assert "Necesita: Sustainable packaging" in email.text_body
    assert "Responder en mis peticiones" in email.html_body
    mine = luis_phone.get(f"/e/{event.slug}/requests", headers=SPANISH).text
    assert "Pendiente" in mine and "Tus peticiones" in mine


def test_the_card_form_turns_requests_off(client, event, luis, ana):
    sign_in_as(client, ana)
    me = client.get(f"/e/{event.slug}/me").text
    assert 'id="accepts_requests"' in me and "Let people at my events ask to meet me" in me
    saved = client.post(f"/e/{event.slug}/me", data={  # the box unticked
        "display_name": "Ana García", "email": "ana@example.com", "share_email": "y",
        "language": "", **{f"links-{n}": "" for n in range(5)}})
    assert saved.status_code == 303
    assert db.session.get(type(ana.person), ana.person_id).accepts_requests is False
    sign_in_as(client, luis)
    assert f"/c/{ana.card_code}/ask" not in client.get(f"/c/{ana.card_code}").text
    refused = ask_from_card(client, ana)
    assert refused.status_code == 403 and "does not take requests" in refused.text


def test_the_directory_offers_to_ask_members_at_my_event(client, owner):
    event = make_event(owner)
    luis = make_attendee(event, first_name="Luis", email="luis@example.com")
    ana = make_attendee(event, first_name="Ana", email="ana@example.com")
    elsewhere = make_attendee(make_event(owner, community=event.community),
                              first_name="Zoe", email="zoe@example.com")
    for person in (ana.person, elsewhere.person):
        person.listed = True
    db.session.commit()
    sign_in_as(client, luis)
    page = client.get(f"/community/{event.community.slug}/directory").text
    link = re.search(r'href="(/r/[^"]+)">Ask to meet at', page).group(1)
    assert page.count("Ask to meet at") == 1 and "Zoe" in page
    # Never a card code: the code in the QR is what lets someone Connect.
    assert ana.card_code not in page and elsewhere.card_code not in page
    assert "Ask to meet Ana" in client.get(link).text


def test_who_may_not_ask_or_answer(app, client, owner, event, luis, ana):
    request = ask_to_meet(ana, luis).request
    # Signed out.
    assert client.get(f"/c/{ana.card_code}/ask").status_code == 403
    assert ask_from_card(client, ana).status_code == 403
    for path in (f"/e/{event.slug}/requests", ):
        response = client.get(path)
        assert response.status_code == 303 and response.location.endswith(f"/e/{event.slug}")
    for verb in ("accept", "decline"):
        response = client.post(f"/e/{event.slug}/requests/{request.id}/{verb}")
        assert response.status_code == 303 and response.location.endswith(f"/e/{event.slug}")
    # An organizer, even the owner, is no attendee.
    login(client, owner)
    assert client.get(f"/c/{ana.card_code}/ask").status_code == 403
    assert client.post(f"/e/{event.slug}/requests/{request.id}/accept").status_code == 303
    # Another event's attendee.
    stranger = app.test_client()
    sign_in_as(stranger, make_attendee(make_event(owner)))
    assert stranger.get(f"/c/{ana.card_code}/ask").status_code == 404
    assert ask_from_card(stranger, ana).status_code == 404
    # A fellow attendee answering someone else's request.
    pedro = app.test_client()
    sign_in_as(pedro, make_attendee(event))
    for verb in ("accept", "decline"):
        assert pedro.post(f"/e/{event.slug}/requests/{request.id}/{verb}").status_code == 404
    db.session.refresh(request)
    assert request.state == "pending" and connection_between(luis, ana) is None


def test_asking_and_answering_need_the_csrf_token(csrf_app, event, luis, ana):
    client = csrf_app.test_client()
    sign_in_as(client, luis)
    assert ask_from_card(client, ana).status_code == 400
    token = csrf_token_from(client.get(f"/c/{ana.card_code}/ask").text)
    assert client.post(f"/c/{ana.card_code}/ask", data={"csrf_token": token}).status_code == 303
    request = db.session.query(MeetingRequest).one()
    sign_in_as(client, ana)
    assert client.post(f"/e/{event.slug}/requests/{request.id}/accept").status_code == 400
    assert db.session.get(MeetingRequest, request.id).state == "pending"


def ask_link(email_text: str) -> str:
    match = re.search(r"I'd like to meet [^:]+: https?://[^/]+(/r/\S+)", as_sent(email_text))
    assert match, "no ask link in the follow-up"
    return match.group(1)


def test_the_follow_ups_one_click_link_asks_without_a_session_once(app, owner):
    event, people = build_meetup(owner)
    nora, luis = people["nora"], people["luis"]  # Nora met nobody: her follow-up has the link
    path = ask_link(render_followup(nora).text)
    phone = app.test_client()  # the mail app's browser: no session
    confirm = phone.get(path)  # what a mail scanner fetches: nothing happens
    assert confirm.status_code == 200 and "Ask to meet Luis Tester" in confirm.text
    assert db.session.query(MeetingRequest).count() == 0
    assert "<form method=\"post\" action=\"/r/" in confirm.text
    done = phone.post(path, data={"message": "Shoes!"})
    assert done.status_code == 200 and "Request sent" in done.text
    request = db.session.query(MeetingRequest).one()
    assert (request.asker_id, request.target_id, request.message) == (nora.id, luis.id, "Shoes!")
    assert request.event_id == event.id and event.is_closed
    # Replayed (a second tap, a forwarded email): nothing new.
    again = app.test_client().post(path, data={"message": "Again"})
    assert again.status_code == 200 and "Already done" in again.text
    assert db.session.query(MeetingRequest).count() == 1
    assert db.session.query(OutboxMessage).filter_by(kind="meeting_request").count() == 1


def test_the_one_click_link_cannot_be_forged(app, owner):
    _event, people = build_meetup(owner)
    nora, luis, ana = people["nora"], people["luis"], people["ana"]
    path = ask_link(render_followup(nora).text)
    payload, signature = path.removeprefix("/r/").split(".")
    # Another pair with the same signature, a damaged signature, another key's token.
    other_pair = ask_token(ana.id, luis.id).split(".")[0]
    app.config["SECRET_KEY"], secret = "someone else's key", app.config["SECRET_KEY"]
    foreign = ask_token(nora.id, luis.id)
    app.config["SECRET_KEY"] = secret
    for forged in (f"{other_pair}.{signature}", f"{payload}.{signature[:-2]}xx", foreign,
                   "WzQsMl0", "garbage"):
        assert app.test_client().get(f"/r/{forged}").status_code == 404
        assert app.test_client().post(f"/r/{forged}").status_code == 404
    assert db.session.query(MeetingRequest).count() == 0


def test_the_follow_up_link_speaks_spanish_and_is_cut_from_the_outbox_copy(app, owner):
    _event, people = build_meetup(owner)
    ana_mail = render_followup(people["nora"])
    assert "/r/" in ana_mail.text
    nora = people["nora"]
    nora.person.language = "es"
    db.session.commit()
    spanish = as_sent(render_followup(nora).text)
    assert "Me gustaría conocer a Luis Tester:" in spanish
    assert "Me gustaría conocerle" in render_followup(nora).html
    # The link lets whoever holds it ask in Nora's name: it is a private part of the email.
    assert "\ue000http" in render_followup(nora).text


def test_no_organizer_page_export_or_api_shows_requests(app, client, owner):
    from tests.factories import make_api_token

    event, people = build_meetup(owner)
    ask_to_meet(people["nora"], people["luis"], "Secret line about shoes")
    ask_to_meet(people["pedro"], people["ana"], "Another private line")
    login(client, owner)
    paths = ["", "/attendees", "/summary", "/followups", "/outbox", "/dashboard",
             "/exports/attendees.csv", "/exports/connections.csv"]
    for path in paths:
        response = client.get(f"/console/events/{event.slug}{path}", buffered=True)
        assert response.status_code == 200, path
        assert "Secret line" not in response.text and "private line" not in response.text, path
    summary = client.get(f"/console/events/{event.slug}/summary").text
    assert re.search(r"Requests to meet</dt><dd>2<", summary)
    assert re.search(r"Requests accepted</dt><dd>0<", summary)
    from checkin.followups.summary import render_summary

    summary_email = render_summary(event, owner)
    assert "Requests to meet: 2" in summary_email.text and "Secret line" not in summary_email.text
    outbox = client.get(f"/console/events/{event.slug}/outbox").text
    assert "would like to meet you" not in outbox and "meeting_request" not in outbox
    _token, secret = make_api_token(owner)
    api = {"Authorization": f"Bearer {secret}"}
    for path in (f"/events/{event.slug}/connections", f"/events/{event.slug}/attendees",
                 f"/events/{event.slug}/stats"):
        response = client.get(f"/api/v1{path}", headers=api)
        assert "Secret line" not in response.text and "request" not in response.text, path
    stranger = app.test_client()
    login(stranger, make_organizer())
    assert stranger.get(f"/console/events/{event.slug}/summary").status_code == 404


def test_an_organizer_cannot_resend_a_request_email(client, owner, event, luis, ana):
    ask_to_meet(luis, ana, "Secret line")
    message = db.session.query(OutboxMessage).filter_by(kind="meeting_request").one()
    login(client, owner)
    response = client.post(f"/console/events/{event.slug}/outbox/{message.id}/resend")
    assert response.status_code == 404


def test_a_request_email_is_not_sent_once_its_asker_left(app, smtp_server, event, luis, ana):
    from checkin.mail.sender import deliver_pending
    from checkin.people.guests import remove_attendee

    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    ask_to_meet(luis, ana, "Gone soon")
    remove_attendee(luis)
    assert db.session.query(MeetingRequest).count() == 0
    assert db.session.query(OutboxMessage).filter_by(kind="meeting_request").count() == 0
    assert deliver_pending().sent == 0 and smtp_server.messages == []


def test_a_request_email_not_sent_yet_when_it_was_answered_is_dropped(app, smtp_server, event,
                                                                        luis, ana):
    from checkin.mail.sender import deliver_pending

    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    decline_request(ana, ask_to_meet(luis, ana, "Soon answered").request.id)
    tally = deliver_pending()
    assert tally.dropped == 1 and smtp_server.messages == []


def test_leaving_the_event_takes_the_request_emails_about_me_sent_or_not(app, smtp_server,
                                                                       event, luis, ana):
    from checkin.mail.sender import deliver_pending
    from checkin.people.guests import remove_attendee

    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    pedro = make_attendee(event)
    ask_to_meet(luis, ana, "Delivered")
    deliver_pending()
    ask_to_meet(pedro, ana, "Stays")
    remove_attendee(luis)
    left = db.session.query(OutboxMessage).filter_by(kind="meeting_request").all()
    assert [m.text_body.count("Stays") for m in left] == [1]


def test_my_data_holds_my_requests_the_asker_never_reading_declined(client, event, luis, ana):
    decline_request(ana, ask_to_meet(luis, ana, "Boxes").request.id)
    sign_in_as(client, luis)
    mine = client.get(f"/e/{event.slug}/me/data.json").get_json()
    assert mine["requests_i_made"][0] | {"asked_at": None} == {
        "to": "Ana García", "card_code": ana.card_code, "message": "Boxes", "asked_at": None,
        "status": "pending"}
    assert mine["requests_to_me"] == []
    sign_in_as(client, ana)
    hers = client.get(f"/e/{event.slug}/me/data.json").get_json()
    assert hers["requests_to_me"][0]["my_answer"] == "declined"
    assert hers["requests_to_me"][0]["from"] == "Luis Pérez"


def test_the_one_click_pages_and_the_accepted_email_speak_spanish(app, owner):
    from checkin.meeting_requests.services import accept_request

    _event, people = build_meetup(owner)
    nora, luis = people["nora"], people["luis"]
    path = ask_link(render_followup(nora).text)
    phone = app.test_client()
    assert "Pedir conocer a Luis Tester" in phone.get(path, headers=SPANISH).text
    assert "Petición enviada" in phone.post(path, headers=SPANISH).text
    assert "Ya está hecho" in phone.post(path, headers=SPANISH).text
    nora.person.language = "es"
    db.session.commit()
    accept_request(luis, db.session.query(MeetingRequest).one().id)
    email = db.session.query(OutboxMessage).filter_by(kind="meeting_accepted").one()
    assert email.subject == "Luis Tester ha aceptado: ya estás en contacto"
    assert "ya estás en contacto" in email.text_body and "Abrir su tarjeta" in email.html_body



def test_a_list_links_to_asking_by_a_signed_link_never_a_card_code(app, event, luis, ana):
    """What a suggestion on My card or a directory entry links to (``ask_link``)."""
    from flask import render_template_string

    with app.test_request_context():
        link = render_template_string("{{ ask_link(me, target_id) }}", me=luis,
                                      target_id=ana.id)
    assert link.startswith("/r/") and ana.card_code not in link
    phone = app.test_client()
    sign_in_as(phone, luis)
    assert "Ask to meet Ana García" in phone.get(link).text
    assert phone.post(link, data={"message": "Labels?"}).status_code == 200
    assert db.session.query(MeetingRequest).one().message == "Labels?"
