"""The one "send the follow-ups now": queue, summaries, delivery and counts; a pure render."""

import pytest

from checkin.errors import DomainError
from checkin.followups.render import followup_context, render_followup, render_followup_email
from checkin.followups.services import send_followups
from tests.statements import statements_run
from tests.test_followups_render import build_meetup


def test_send_followups_queues_summaries_delivers_and_counts(app, owner):
    event, _people = build_meetup(owner)
    run = send_followups(event)
    # Ana, Luis, Marta and Nora were there; Pedro never came; Ulla unsubscribed.
    assert (run.recipients, run.queued, run.summaries_queued) == (4, 4, 1)
    assert (run.sent, run.failed, run.waiting, run.stopped) == (5, 0, 0, "")
    assert run.outbox["sent"] == 5 == run.outbox["total"]
    again = send_followups(event)
    assert (again.queued, again.summaries_queued, again.sent) == (0, 0, 0)


def test_send_followups_can_only_queue(app, owner):
    event, _people = build_meetup(owner)
    run = send_followups(event, deliver_seconds=0)
    assert run.queued == 4 and run.sent == 0 and run.waiting == 5


def test_send_followups_refuses_an_open_event(app, owner):
    event, _people = build_meetup(owner, close=False)
    with pytest.raises(DomainError) as refused:
        send_followups(event)
    assert refused.value.code == "event_open"


def test_the_render_runs_no_query(app, owner):
    _event, people = build_meetup(owner)
    gathered = followup_context(people["ana"])
    with statements_run() as statements:
        email = render_followup_email(gathered)
    assert statements == []
    assert email.text == render_followup(people["ana"]).text
    assert "Luis Tester" in email.text and email.met == 2
