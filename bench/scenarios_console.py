"""Console and API scenarios: the check-in API and the guest list, on an event of 10,000."""

import json
from datetime import timedelta

from bench.scenarios import Load, scenario

_event: dict = {}


def _api_event(app):
    """An event of 10,000 guests and an owner's API token, made once per benchmark run."""
    if _event:
        return _event
    from bench.scenarios_door import seed_crowd
    from checkin.accounts.services import create_organizer, issue_api_token
    from checkin.columns import now_utc
    from checkin.events.services import create_event, open_event

    owner = create_organizer("bench-api@example.org", "bench-organizer")
    start = now_utc() - timedelta(hours=1)
    event = create_event(owner, "API bench", start, start + timedelta(hours=4), "Europe/Madrid")
    open_event(event)
    seed_crowd(event, connections=1000)
    fresh = seed_tickets(event)
    _token, secret = issue_api_token(owner, label="bench")
    _event.update(slug=event.slug, token=secret, code=f"B{event.id:03d}{5:06d}", fresh=fresh)
    return _event


def seed_tickets(event, card_prefix: str = "T") -> int:
    """Guests whose imported ticket codes are the numbers wrk puts in ``{n}`` (thread × 10⁸ +
    the numbers earlier runs used + request count), so each request of every round scans a
    guest who has not arrived yet. Returns how many there are per wrk thread: 5,000 for each
    round and 10,000 more, enough for 1,600 scans a second in 5-second runs."""
    from flask import current_app
    from sqlalchemy import insert, select

    from checkin.extensions import db
    from checkin.people.models import Attendee, Person
    from checkin.people.search import index_search_terms

    per_thread = 5_000 * current_app.config.get("BENCH_ROUNDS", 1) + 10_000
    numbers = [tid * 100_000_000 + c for tid in (1, 2) for c in range(1, per_thread + 1)]
    db.session.execute(insert(Person), [
        {"display_name": f"Ticket {n}", "email": f"{card_prefix.lower()}{n}@x.org",
         "community_id": event.community_id}
        for n in numbers])
    person_ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()[-len(numbers):]
    db.session.execute(insert(Attendee), [
        {"event_id": event.id, "person_id": pid, "card_code": f"{card_prefix}{n}",
         "ticket_code": str(n), "ticket_source": "eventbrite", "search_key": f"ticket {n}",
         "source": "import"}
        for n, pid in zip(numbers, person_ids, strict=True)])
    index_search_terms(Attendee.event_id == event.id, Attendee.card_code.startswith(card_prefix))
    db.session.commit()
    return per_thread


@scenario("api_checkin")
def api_checkin(app) -> Load:
    """POST /api/v1/events/{slug}/checkins as at the door rush: bearer token, the check-in
    service, each request a guest arriving (201 ok) by their imported ticket code. PostgreSQL:
    2 round trips, its 2 statements (the token with the event and the guest in one read, the
    entry with its log row alone; 3 with the token read on its own, 6 before the entry and its
    log row were one statement: BEGIN, UPDATE, INSERT, COMMIT)."""
    data = _api_event(app)
    # Each run (warm-ups too) starts after the numbers earlier runs used: every scan a first.
    body = json.dumps({"code": "{n}", "type": "entry", "gate": "Door 1"})
    return Load(f"/api/v1/events/{data['slug']}/checkins", method="POST", body=body,
                headers={"Authorization": f"Bearer {data['token']}",
                         "Content-Type": "application/json"}, expect=(200, 201),
                fresh=data["fresh"], expect_body='"result":%s*"ok"')


@scenario("api_checkin_repeat")
def api_checkin_repeat(app) -> Load:
    """The same, for a guest already inside: 200 already_checked_in with when and where.
    PostgreSQL: 2 round trips, its 2 statements (the token, its event and the guest in one
    read, then the log row alone; 3 with the token read on its own, 5 with BEGIN and COMMIT, 9
    before reads ran outside a transaction and the check-in's statements went 5 → 3)."""
    data = _api_event(app)
    body = json.dumps({"code": data["code"], "type": "entry", "gate": "Door 1"})
    return Load(f"/api/v1/events/{data['slug']}/checkins", method="POST", body=body,
                headers={"Authorization": f"Bearer {data['token']}",
                         "Content-Type": "application/json"}, expect=(200, 201))


@scenario("api_attendees_search")
def api_attendees_search(app) -> Load:
    """GET /api/v1/events/{slug}/attendees?q=…: a page of 50 found among 10,000. PostgreSQL:
    4 round trips, its 4 statements (6 before: BEGIN, ROLLBACK)."""
    data = _api_event(app)
    return Load(f"/api/v1/events/{data['slug']}/attendees?q=person%200{{n}}&per_page=50",
                headers={"Authorization": f"Bearer {data['token']}"})


@scenario("console_attendees")
def console_attendees(app) -> Load:
    """The console's guest list of 10,000: a search, sorted by name, page 1 of the matches.
    PostgreSQL: 5 round trips, its 5 statements (7 before: BEGIN, ROLLBACK)."""
    from bench.scenarios_door import _big_event

    slug, cookie = _big_event(app)
    return Load(f"/console/events/{slug}/attendees?q=person%200{{n}}&sort=name",
                headers={"Cookie": cookie})
