"""Double submits never duplicate: one preview confirmed twice at once, the same file confirmed
twice at once through the API, a walk-in sent three times at once (SQLite and PostgreSQL)."""

import io
import re
import threading

from sqlalchemy import func, select

from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.people.services import join_as_walk_in
from tests.conftest import login
from tests.factories import make_api_token

GUESTS = 200
# Without ticket codes: the guests are matched by name and email only.
FILE = ("name,email\n" + "".join(f"Guest {n},guest{n}@example.org\n"
                                 for n in range(GUESTS))).encode()


def at_once(*calls):
    """Run each call in its own thread, released together; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(n, call):
        try:
            barrier.wait(timeout=30)
            results[n] = call()
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def attendees(event) -> int:
    return db.session.scalar(select(func.count()).select_from(Attendee)
                             .where(Attendee.event_id == event.id))


def test_one_preview_confirmed_twice_at_once_imports_it_once(app, owner, event):
    first, second = app.test_client(), app.test_client()
    login(first, owner)
    login(second, owner)
    preview = first.post(f"/console/events/{event.slug}/import",
                         data={"file": (io.BytesIO(FILE), "guests.csv")},
                         content_type="multipart/form-data")
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', preview.text).group(1)
    assert len(upload) <= 32  # an id, not the file
    url = f"/console/events/{event.slug}/import/confirm"
    answers = at_once(lambda: first.post(url, data={"upload": upload}),
                      lambda: second.post(url, data={"upload": upload}))
    assert all(a.status_code == 303 for a in answers)
    assert attendees(event) == GUESTS


def test_the_same_file_confirmed_twice_at_once_through_the_api_adds_everyone_once(
        app, owner, event):
    token = make_api_token(owner)[1]
    url = f"/api/v1/events/{event.slug}/imports?confirm=true"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    clients = app.test_client(), app.test_client()
    answers = at_once(*(lambda c=c: c.post(url, headers=headers, data=FILE) for c in clients))
    assert sorted(a.status_code for a in answers) == [201, 201], [a.json for a in answers]
    assert sorted(a.json["create"] for a in answers) == [0, GUESTS]
    assert sorted(a.json["unchanged"] for a in answers) == [0, GUESTS]
    assert attendees(event) == GUESTS


def test_a_preview_confirmed_twice_through_the_api_runs_once(client, owner, event):
    token = make_api_token(owner)[1]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    preview = client.post(f"/api/v1/events/{event.slug}/imports", headers=headers, data=FILE)
    upload = preview.json["upload"]
    assert preview.status_code == 200 and upload["state"] == "previewed"
    assert attendees(event) == 0
    done = client.post(upload["url"], headers=headers)
    assert done.status_code == 201 and done.json["create"] == GUESTS
    again = client.post(upload["url"], headers=headers)
    assert again.status_code == 200 and again.json["state"] == "done"
    assert again.json["result"]["create"] == GUESTS
    assert attendees(event) == GUESTS
    assert client.get(upload["url"], headers=headers).json["state"] == "done"


def test_a_walk_in_sent_three_times_at_once_is_one_attendee(app, owner):
    from tests.factories import make_event

    event_id = make_event(owner, walk_ins_allowed=True).id
    db.session.commit()

    def join(email):
        with app.app_context():
            event = db.session.get(Event, event_id)
            db.session.commit()  # hand the connection back until the barrier opens
            ids = [attendee.id for attendee in join_as_walk_in(event, "Zoe Walker", email)]
            db.session.remove()
            return ids

    for trial in range(6):
        email = f"zoe{trial}@example.org"
        answers = at_once(*(lambda e=email: join(e) for _ in range(3)))
        # All three are told of the one attendee (each gets that address's link).
        assert len({tuple(ids) for ids in answers}) == 1 and len(answers[0]) == 1, answers
        count = db.session.scalar(select(func.count()).select_from(Person)
                                  .where(Person.email == email))
        assert count == 1, trial
