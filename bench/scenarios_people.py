"""The attendee's phone: a card page as a fellow attendee sees it, and the Connect POST."""

from urllib.parse import urlencode

from bench.scenarios import Load, scenario


def _signed_in_as(app, attendee) -> tuple[str, str]:
    """A session cookie for ``attendee`` (as their sign-in link sets it) and its CSRF token."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from checkin.people.sessions import SESSION_KEY, session_entry

    with app.app_context(), app.test_request_context("/"):  # a fresh g: no cached token
        token = generate_csrf()
        data = dict(session)
    data[SESSION_KEY] = {str(attendee.event_id): session_entry(attendee)}
    data["_permanent"] = True
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    cookie = app.session_interface.get_signing_serializer(app).dumps(data)
    # The cookie as the phone holds it after its first page (that page may add to it, once):
    # a run measures the steady state, not a first visit repeated.
    phone = app.test_client()
    phone.set_cookie(name, cookie)
    phone.get(f"/e/{attendee.event.slug}/me")
    held = phone.get_cookie(name)
    return f"{name}={held.value if held else cookie}", token


def _pair(app, name: str):
    from datetime import timedelta

    from checkin.columns import now_utc
    from checkin.events.services import create_event, open_event
    from checkin.people.services import register_attendee

    start = now_utc() - timedelta(hours=1)
    event = open_event(create_event(None, f"Bench {name}", start, start + timedelta(hours=4),
                                    "Europe/Madrid"))
    card = dict(headline="Diseñadora", company="Estudio Norte", what_i_do="Identidad visual",
                offer="Diseño de logotipos y etiquetas", need="Una imprenta de confianza",
                pitch="· Marcas locales\n· Packaging", links=["https://ana.example"],
                phone="+34 600 000 000", share_phone=True)
    ana = register_attendee(event, first_name="Ana", last_name="García",
                            email="ana@example.com", **card)
    luis = register_attendee(event, first_name="Luis", last_name="Núñez",
                             email="luis@example.com")
    return ana, luis


@scenario("card")
def card_page(app) -> Load:
    """Ana's card as Luis sees it once connected: contact details, Save contact, his note.
    PostgreSQL: 1 round trip, its one query (3 before: BEGIN, ROLLBACK)."""
    from checkin.connections.services import record_connection, write_note

    ana, luis = _pair(app, "card")
    connection, _new = record_connection(luis, ana)
    write_note(luis, connection, "Knows printers")
    cookie, _token = _signed_in_as(app, luis)
    return Load(f"/c/{ana.card_code}", headers={"Cookie": cookie, "Accept-Language": "es"})


@scenario("connect")
def connect(app) -> Load:
    """Luis taps Connect on Ana's card (POST with CSRF); repeats find the pair's one row.
    PostgreSQL: 1 round trip, that one read (3 before: BEGIN, ROLLBACK)."""
    ana, luis = _pair(app, "connect")
    cookie, token = _signed_in_as(app, luis)
    return Load(f"/c/{ana.card_code}/connect", method="POST",
                body=urlencode({"csrf_token": token}),
                headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
                expect=(303,))
