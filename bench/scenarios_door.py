"""Door scenarios: the live dashboard and the door search of an event of 10,000 attendees."""

import contextvars
from datetime import timedelta

from sqlalchemy import insert, select

from bench.scenarios import Load, scenario

PEOPLE = 10_000
CONNECTIONS = 50_000
PASSWORD = "bench-organizer"  # noqa: S105 (a throwaway account on a throwaway database)


def seed_crowd(event, people: int = PEOPLE, connections: int = CONNECTIONS) -> None:
    """``people`` attendees (60 % arrived over two hours) and ``connections`` pairs, in bulk."""
    from checkin.connections.models import Connection
    from checkin.extensions import db
    from checkin.people.models import Attendee, Person
    from checkin.people.search import index_search_terms

    db.session.execute(insert(Person), [
        {"display_name": f"Person {i:05d}", "email": f"p{i}@example.com",
         "company": f"Company {i % 97}", "community_id": event.community_id}
        for i in range(people)])
    person_ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()[-people:]
    rows = []
    for i, person_id in enumerate(person_ids):
        arrived = event.starts_at + timedelta(seconds=(i * 7) % 7200) if i % 10 < 6 else None
        rows.append({"event_id": event.id, "person_id": person_id,
                     "card_code": f"B{event.id:03d}{i:06d}",
                     "search_key": f"person {i:05d} p{i}@example.com", "ticket_type": "General",
                     "source": "walk_in" if i % 25 == 0 else "import",
                     "checked_in_at": arrived, "inside": arrived is not None and i % 7 != 0})
    db.session.execute(insert(Attendee), rows)
    ids = db.session.scalars(select(Attendee.id).where(Attendee.event_id == event.id)
                             .order_by(Attendee.id)).all()
    pairs, gap = [], 1
    while len(pairs) < connections:
        for a in range(len(ids) - gap):
            pairs.append({"event_id": event.id, "low_id": ids[a], "high_id": ids[a + gap],
                          "scanned_by_id": ids[a]})
            if len(pairs) == connections:
                break
        gap += 1
    db.session.execute(insert(Connection), pairs)
    index_search_terms(Attendee.event_id == event.id)  # written in bulk: terms too
    db.session.commit()


_signed_in: dict = {}


def _console_cookie(app, email: str):
    """A test client signed in as an organizer, and its session cookie. Its requests run
    in a context of their own: inside the seeding's app context they would share its ``g``,
    and with it the organizer an earlier sign-in loaded."""
    client = app.test_client()

    def sign_in():
        app.config["WTF_CSRF_ENABLED"] = False
        client.post("/console/login", data={"email": email, "password": PASSWORD})
        app.config["WTF_CSRF_ENABLED"] = True

    contextvars.Context().run(sign_in)
    return client, f"session={client.get_cookie('session').value}"


def _big_event(app):
    """The event and an owner's session cookie, made once per benchmark run."""
    if _signed_in:
        return _signed_in["slug"], _signed_in["cookie"]
    from checkin.accounts.services import create_organizer
    from checkin.columns import now_utc
    from checkin.events.services import create_event, open_event

    owner = create_organizer("bench-door@example.org", PASSWORD)
    start = now_utc() - timedelta(hours=2)
    event = create_event(owner, "Door bench", start, start + timedelta(hours=4), "Europe/Madrid")
    open_event(event)
    seed_crowd(event)
    _client, cookie = _console_cookie(app, owner.email)
    _signed_in.update(slug=event.slug, cookie=cookie)
    return _signed_in["slug"], _signed_in["cookie"]


@scenario("door_dashboard")
def dashboard(app) -> Load:
    """The live dashboard of 10,000 attendees and 50,000 connections: figures, chart, table.
    PostgreSQL: 7 round trips, its 7 statements (9 before: BEGIN, ROLLBACK)."""
    slug, cookie = _big_event(app)
    return Load(f"/console/events/{slug}/dashboard?sort=arrived", headers={"Cookie": cookie})


@scenario("door_dashboard_live")
def dashboard_live(app) -> Load:
    """What the dashboard fetches every ten seconds: the figures and the arrivals chart.
    PostgreSQL: 2 round trips, its 2 statements (the organizer read with the event and role,
    the figures with the arrivals; 6 before: BEGIN, ROLLBACK, the organizer and the arrivals
    each on their own)."""
    slug, cookie = _big_event(app)
    return Load(f"/console/events/{slug}/dashboard/live", headers={"Cookie": cookie})


@scenario("door_search")
def door_search(app) -> Load:
    """The door page's search among 10,000 attendees, finding ten of them ("Person 04210" to
    "Person 04219"), sorted by name. PostgreSQL: 2 round trips, its 2 statements (the organizer
    read with the event and role; 5 before: BEGIN, ROLLBACK, and the organizer on its own)."""
    slug, cookie = _big_event(app)
    return Load(f"/console/events/{slug}/door/search?q=person%200421", headers={"Cookie": cookie})


@scenario("door_scan")
def door_scan(app) -> Load:
    """The door page's own scan (POST …/door/scans, the JSON it sends: code, nonce, device,
    gate, CSRF header) at the door rush: each request a guest arriving by ticket code.
    PostgreSQL: 3 round trips, its 3 statements (the organizer with the event and role, the
    guest, the entry with its log row alone; 4 with the organizer on its own; 7 before the
    entry and the row were one statement: BEGIN, UPDATE, INSERT, COMMIT; 12 before that)."""
    import json

    from bench.scenarios_console import seed_tickets
    from checkin.accounts.services import create_organizer
    from checkin.columns import now_utc
    from checkin.events.services import create_event, open_event

    owner = create_organizer("bench-scan@example.org", PASSWORD)
    start = now_utc() - timedelta(hours=1)
    event = create_event(owner, "Scan bench", start, start + timedelta(hours=4), "Europe/Madrid")
    open_event(event)
    fresh = seed_tickets(event, card_prefix="D")
    client, _cookie = _console_cookie(app, owner.email)
    token = contextvars.Context().run(
        client.get, f"/console/events/{event.slug}/door/token").json["csrf_token"]
    cookie = f"session={client.get_cookie('session').value}"
    # Each run (warm-ups too) starts after the numbers earlier runs used: every nonce is new.
    body = json.dumps({"code": "{n}", "type": "entry", "nonce": "bench-{n}",
                       "device": "dev-bench", "gate": "Door 1"})
    return Load(f"/console/events/{event.slug}/door/scans", method="POST", body=body,
                headers={"Cookie": cookie, "X-CSRFToken": token,
                         "Content-Type": "application/json"},
                fresh=fresh, expect_body='"result":%s*"ok"')
