"""Signing in by link, asking for it again, walk-ins, and keeping the secret out of logs."""

import logging
import re

import pytest

from checkin.mail.models import OutboxMessage
from checkin.people.models import Attendee
from checkin.people.services import issue_signin_link, revoke_signin_link
from tests.conftest import csrf_token_from
from tests.people_helpers import sign_in_as


def test_link_signs_in_and_redirects_to_a_clean_url(client, event, create_attendee):
    ana = create_attendee(event, first_name="Ana", last_name="García")
    secret = issue_signin_link(ana)
    response = client.get(f"/s/{secret}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/e/{event.slug}/me"
    assert secret not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    page = client.get(f"/e/{event.slug}/me")
    assert page.status_code == 200 and "Ana García" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_cookie_is_secure_when_the_base_url_is_https(tmp_path):
    from checkin.config import load_settings

    settings = load_settings(tmp_path, {"CHECKIN_BASE_URL": "https://checkin.example.org",
                                        "CHECKIN_SECRET_KEY": "x"})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_after_signing_in_the_card_i_was_looking_at_opens(client, event, create_attendee):
    ana, luis = create_attendee(event), create_attendee(event)
    client.get(f"/c/{ana.card_code}")
    response = client.get(f"/s/{issue_signin_link(luis)}")
    assert response.headers["Location"] == f"/c/{ana.card_code}"
    # Only once, and never a card of another event.
    response = client.get(f"/s/{issue_signin_link(luis)}")
    assert response.headers["Location"] == f"/e/{event.slug}/me"


def test_gunicorn_access_log_is_redacted_too():
    from checkin.people import RedactSigninSecrets

    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '%(h)s "%(r)s" %(s)s',
                               ({"h": "10.0.0.1", "r": "GET /s/SeCrEt-123_x HTTP/1.1",
                                 "s": "303"},), None)
    RedactSigninSecrets().filter(record)
    assert record.getMessage() == '10.0.0.1 "GET /s/[redacted] HTTP/1.1" 303'


def test_unknown_or_replaced_link_is_refused(client, event, create_attendee):
    ana = create_attendee(event)
    old = issue_signin_link(ana)
    issue_signin_link(ana)
    response = client.get(f"/s/{old}")
    assert response.status_code == 404
    assert "does not work any more" in response.text
    assert client.get(f"/e/{event.slug}/me").status_code == 303


def test_revoking_signs_the_phone_out(client, event, create_attendee):
    ana = create_attendee(event)
    sign_in_as(client, ana)
    assert client.get(f"/e/{event.slug}/me").status_code == 200
    revoke_signin_link(ana)
    response = client.get(f"/e/{event.slug}/me")
    assert response.status_code == 303 and response.headers["Location"] == f"/e/{event.slug}"
    sign_in_as(client, ana)  # a new link works again
    assert client.get(f"/e/{event.slug}/me").status_code == 200


def test_asking_for_the_link_again_does_not_sign_the_phone_out(client, event, create_attendee):
    ana = create_attendee(event)
    sign_in_as(client, ana)
    client.post(f"/e/{event.slug}", data={"email": ana.person.email})
    assert client.get(f"/e/{event.slug}/me").status_code == 200


def test_the_session_is_per_event(client, event, create_event, create_attendee):
    sign_in_as(client, create_attendee(event))
    other = create_event()
    assert client.get(f"/e/{other.slug}/me").status_code == 303


def test_secret_never_reaches_the_access_log(live_server, event, create_attendee, caplog):
    import urllib.request

    secret = issue_signin_link(create_attendee(event))
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(f"{live_server.url}/s/{secret}")
        except urllib.error.HTTPError as error:
            assert error.code == 303
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/s/[redacted]" in logged
    assert secret not in logged and secret not in caplog.text


class NoRedirect(__import__("urllib.request").request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def resend(client, event, email):
    return client.post(f"/e/{event.slug}", data={"email": email})


def test_resend_answers_the_same_for_known_and_unknown(client, event, create_attendee):
    ana = create_attendee(event)
    known = resend(client, event, ana.person.email.upper())
    unknown = resend(client, event, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    known_text = known.text.replace(ana.person.email.upper(), "X").replace(ana.person.email, "X")
    # CSRF tokens carry a timestamp: they differ when the clock ticks between the requests.
    assert without_csrf(known_text) == without_csrf(unknown.text.replace("nobody@example.com", "X"))
    messages = OutboxMessage.query.filter_by(kind="invitation").all()
    assert [m.to_address for m in messages] == [ana.person.email]


def test_resend_reaches_both_tickets_sharing_an_address(client, event, create_attendee):
    create_attendee(event, email="buyer@example.com", first_name="Buyer")
    create_attendee(event, email="buyer@example.com", first_name="Friend")
    resend(client, event, "buyer@example.com")
    assert OutboxMessage.query.filter_by(kind="invitation").count() == 2


def test_resend_is_rate_limited(client, event, create_attendee):
    from checkin.people.views import RESEND_PER_ADDRESS

    ana = create_attendee(event)
    for _ in range(RESEND_PER_ADDRESS):
        assert resend(client, event, ana.person.email).status_code == 200
    response = resend(client, event, ana.person.email)
    assert response.status_code == 429 and "Too many requests" in response.text
    # Unknown addresses are limited the same way: the limit tells nothing either.
    for _ in range(RESEND_PER_ADDRESS):
        resend(client, event, "nobody@example.com")
    assert resend(client, event, "nobody@example.com").status_code == 429


def test_resend_needs_a_csrf_token(csrf_app, event, create_attendee):
    client = csrf_app.test_client()
    ana = create_attendee(event)
    assert resend(client, event, ana.person.email).status_code == 400
    token = csrf_token_from(client.get(f"/e/{event.slug}").text)
    response = client.post(f"/e/{event.slug}", data={"email": ana.person.email,
                                                      "csrf_token": token})
    assert response.status_code == 200


def test_unknown_event_is_404(client):
    assert client.get("/e/no-such-event").status_code == 404
    spanish = client.get("/e/no-such-event", headers={"Accept-Language": "es"})
    assert "No existe ese evento." in spanish.text


@pytest.fixture
def walk_in_event(create_event):
    return create_event(walk_ins_allowed=True, name="Open Night")


def join(client, event, name="Lucía Pérez", email="lucia@example.com"):
    return client.post(f"/e/{event.slug}/join", data={"display_name": name, "email": email})


def link_in(message) -> str:
    return re.search(r"http://localhost(/s/[A-Za-z0-9_-]+)", message.text_body).group(1)


def test_walk_in_joins_and_the_emailed_link_signs_the_phone_in(client, walk_in_event):
    response = join(client, walk_in_event)
    assert response.status_code == 200
    assert "Check your email: we have sent a link to lucia@example.com." in response.text
    # Not signed in on an address alone: the link proves the address is hers.
    assert client.get(f"/e/{walk_in_event.slug}/me").status_code == 303
    attendee = Attendee.query.one()
    assert attendee.source == "walk_in" and attendee.person.email == "lucia@example.com"
    mail = OutboxMessage.query.filter_by(kind="invitation").one()
    assert mail.to_address == "lucia@example.com"
    assert client.get(link_in(mail)).status_code == 303
    page = client.get(f"/e/{walk_in_event.slug}/me")
    assert page.status_code == 200 and "Lucía Pérez" in page.text


def test_joining_twice_makes_one_attendee_and_signs_no_one_in(app, walk_in_event):
    join(app.test_client(), walk_in_event)
    stranger = app.test_client()
    response = join(stranger, walk_in_event, name="lucia perez", email="LUCIA@example.com")
    assert response.status_code == 200 and "Check your email" in response.text
    assert Attendee.query.count() == 1
    assert stranger.get(f"/e/{walk_in_event.slug}/me").status_code == 303


def test_a_registered_address_with_another_name_gets_its_own_link(app, walk_in_event,
                                                                  create_attendee):
    """Issue 11: "Hola, Impostor" reached the real guest, and the impostor was signed in."""
    ana = create_attendee(walk_in_event, first_name="Ana", last_name="García",
                          email="ana@example.com")
    impostor = app.test_client()
    response = join(impostor, walk_in_event, name="Impostor", email="ana@example.com")
    assert response.status_code == 200
    assert Attendee.query.count() == 1
    assert impostor.get(f"/e/{walk_in_event.slug}/me").status_code == 303
    mail = OutboxMessage.query.filter_by(kind="invitation").one()
    assert mail.to_address == "ana@example.com" and mail.recipient == f"attendee:{ana.id}"
    assert "Ana" in mail.text_body and "Impostor" not in mail.text_body


def test_join_answers_the_same_for_registered_and_new_addresses(app, walk_in_event,
                                                               create_attendee):
    ana = create_attendee(walk_in_event, first_name="Ana", email="ana@example.com")
    known = join(app.test_client(), walk_in_event, name="Someone", email=ana.person.email)
    new = join(app.test_client(), walk_in_event, name="Someone", email="new@example.com")
    assert known.status_code == new.status_code == 200
    assert without_csrf(known.text.replace("ana@example.com", "X")) == \
        without_csrf(new.text.replace("new@example.com", "X"))


def test_join_is_limited_per_address_together_with_the_sign_in_page(app, walk_in_event,
                                                                  create_attendee):
    from checkin.people.views import RESEND_PER_ADDRESS

    ana = create_attendee(walk_in_event, first_name="Ana", email="ana@example.com")
    resend(app.test_client(), walk_in_event, ana.person.email)
    for _ in range(RESEND_PER_ADDRESS - 1):
        assert join(app.test_client(), walk_in_event, name="Ana",
                    email=ana.person.email).status_code == 200
    refused = join(app.test_client(), walk_in_event, name="Ana", email=ana.person.email)
    assert refused.status_code == 429 and "Too many requests" in refused.text
    assert OutboxMessage.query.filter_by(kind="invitation").count() == 1  # one row, replaced
    # A new address is limited the same way, so the limit tells nothing either.
    for _ in range(RESEND_PER_ADDRESS):
        join(app.test_client(), walk_in_event, email="new@example.com")
    assert join(app.test_client(), walk_in_event, email="new@example.com").status_code == 429


def test_every_page_that_emails_a_link_shares_one_limit_per_address(app, walk_in_event,
                                                                     create_attendee):
    """The sign-in page, a dead link's "email me a new link" and the join page: switching
    pages never sends one address more links, and /s/new answers 429 for a registered and an
    unknown address alike."""
    from checkin.people.views import RESEND_PER_ADDRESS

    assert RESEND_PER_ADDRESS == 3
    ana = create_attendee(walk_in_event, first_name="Ana", email="ana@example.com")
    assert resend(app.test_client(), walk_in_event, ana.person.email).status_code == 200
    assert app.test_client().post("/s/new", data={"email": ana.person.email}).status_code == 200
    assert join(app.test_client(), walk_in_event, name="Ana",
                email=ana.person.email).status_code == 200
    for page in ("/s/new", f"/e/{walk_in_event.slug}"):
        refused = app.test_client().post(page, data={"email": ana.person.email})
        assert refused.status_code == 429 and "Too many requests" in refused.text
    for _ in range(RESEND_PER_ADDRESS):
        app.test_client().post("/s/new", data={"email": "nobody@example.com"})
    assert app.test_client().post("/s/new",
                                  data={"email": "nobody@example.com"}).status_code == 429


@pytest.mark.parametrize(("name", "email", "message"), [
    ("", "a@example.com", "A name is needed."),
    ("A" * 81, "a@example.com", "At most 80 characters."),
    ("Ana", "not-an-email", "This is not a valid email address."),
    ("Ana", "", "An email address is needed."),
])
def test_walk_in_bad_input(client, walk_in_event, name, email, message):
    response = join(client, walk_in_event, name=name, email=email)
    assert response.status_code == 400 and message in response.text
    assert Attendee.query.count() == 0


def test_no_walk_ins_unless_the_event_allows(client, event):
    assert client.get(f"/e/{event.slug}/join").status_code == 404
    assert join(client, event).status_code == 404
    assert Attendee.query.count() == 0


def test_closed_event_takes_no_walk_ins(client, create_event):
    closed = create_event(walk_ins_allowed=True, state="closed")
    assert client.get(f"/e/{closed.slug}/join").status_code == 409
    response = join(client, closed)
    assert response.status_code == 409 and Attendee.query.count() == 0


def test_join_qr_for_the_entrance(client, walk_in_event, event):
    from tests.qrtools import decode_qr

    png = client.get(f"/e/{walk_in_event.slug}/join.png")
    assert png.headers["Content-Type"] == "image/png"
    assert decode_qr(png.data) == [f"http://localhost/e/{walk_in_event.slug}/join"]
    assert client.get(f"/e/{event.slug}/join.png").status_code == 404


def test_join_page_in_spanish(client, walk_in_event):
    page = client.get(f"/e/{walk_in_event.slug}/join", headers={"Accept-Language": "es"})
    assert "Unirme y obtener mi tarjeta" in page.text


@pytest.mark.parametrize(("lang", "offer", "answer"), [
    ("en", "Email me a new link", "If ana@example.com is on a guest list, we have emailed"),
    ("es", "Envíame un enlace nuevo", "Si ana@example.com está en una lista de invitados"),
])
def test_a_link_that_no_longer_works_offers_a_new_one(client, event, create_event,
                                                      create_attendee, lang, offer, answer):
    ana = create_attendee(event, email="ana@example.com")
    create_attendee(create_event(state="closed"), email="ana@example.com")
    headers = {"Accept-Language": lang}
    page = client.get("/s/no-such-secret", headers=headers)
    assert page.status_code == 404 and offer in page.text
    assert 'action="/s/new"' in page.text
    sent = client.post("/s/new", data={"email": "ANA@example.com"}, headers=headers)
    assert sent.status_code == 200 and answer in sent.text
    messages = OutboxMessage.query.filter_by(kind="invitation").all()
    assert [m.recipient for m in messages] == [f"attendee:{ana.id}"]  # not the closed event's
    unknown = client.post("/s/new", data={"email": "nobody@example.com"}, headers=headers)
    assert unknown.status_code == 200 and "nobody@example.com" in unknown.text
    assert OutboxMessage.query.filter_by(kind="invitation").count() == 1


@pytest.mark.parametrize("page", ["/s/new", "/e/{slug}"])
def test_asking_for_a_link_refuses_what_is_no_email_address(client, event, page):
    response = client.post(page.format(slug=event.slug), data={"email": "not-an-email"})
    assert response.status_code == 400
    assert "This is not a valid email address." in response.text
    assert 'value="not-an-email"' in response.text
    assert OutboxMessage.query.count() == 0


def test_the_join_page_says_who_sees_the_card(client, walk_in_event):
    english = client.get(f"/e/{walk_in_event.slug}/join").text
    assert "Who sees your card: the organizers of Open Night see your name and email." in english
    assert "go only to the people you connect with" in english
    spanish = client.get(f"/e/{walk_in_event.slug}/join", headers={"Accept-Language": "es"}).text
    assert "Quién ve tu tarjeta: la organización de Open Night ve tu nombre y tu correo." in spanish


def test_join_answer_in_spanish(client, walk_in_event):
    response = client.post(f"/e/{walk_in_event.slug}/join", headers={"Accept-Language": "es"},
                           data={"display_name": "Lucía", "email": "lucia@example.com"})
    assert "Mira tu correo: hemos enviado un enlace a lucia@example.com." in response.text
