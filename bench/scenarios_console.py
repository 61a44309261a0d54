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
    _token, secret = issue_api_token(owner, label="bench")
    _event.update(slug=event.slug, token=secret, code=f"B{event.id:03d}{5:06d}")
    return _event


@scenario("api_checkin")
def api_checkin(app) -> Load:
    """POST /api/v1/events/{slug}/checkins: bearer token, the check-in service, a logged scan
    with a fresh nonce each time (the guest is already in: 200 already_checked_in)."""
    data = _api_event(app)
    body = json.dumps({"code": data["code"], "type": "entry", "nonce": "bench-{n}",
                       "gate": "Door 1"})
    return Load(f"/api/v1/events/{data['slug']}/checkins", method="POST", body=body,
                headers={"Authorization": f"Bearer {data['token']}",
                         "Content-Type": "application/json"}, expect=(200, 201))


@scenario("api_attendees_search")
def api_attendees_search(app) -> Load:
    """GET /api/v1/events/{slug}/attendees?q=…: a page of 50 found among 10,000."""
    data = _api_event(app)
    return Load(f"/api/v1/events/{data['slug']}/attendees?q=person%200{{n}}&per_page=50",
                headers={"Authorization": f"Bearer {data['token']}"})
