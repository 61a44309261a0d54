"""The sender's cost per message (issue 14): the claim is one statement that returns the row,
the outcome another, whatever the message."""

from sqlalchemy import select

from checkin.extensions import db
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.mail.sender import claim_next, deliver_pending
from tests.factories import make_event, make_outbox
from tests.statements import statements_run


def test_delivering_costs_two_statements_per_message(app, owner):
    one, three = make_event(owner), make_event(owner)
    make_outbox(one)
    for _ in range(3):
        make_outbox(three)
    counts = []
    for event_id in (one.id, three.id):
        with statements_run() as seen:
            deliver_pending(event_id=event_id)
        counts.append(len(seen))
    assert counts[1] - counts[0] == 4
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def test_a_claim_is_one_statement_and_returns_the_message_as_claimed(app, owner):
    event = make_event(owner)
    queued = make_outbox(event, subject="Claimed", text_body="All of it\nsecond line",
                         html_body="<p>All of it</p>")
    first = make_outbox(make_event(owner))  # another event's: not in this scope
    event_id = event.id  # read before counting: the commit expired it
    with statements_run() as seen:
        message = claim_next(event_id=event_id)
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("UPDATE")
    # Everything the email needs, already there: reading it runs nothing more.
    with statements_run() as seen:
        read = (message.subject, message.text_body, message.html_body, message.attachments,
                message.headers, message.to_address)
    assert seen == [] and read[0] == "Claimed"
    assert (message.id, message.status, message.attempts, message.subject) == (
        queued.id, OutboxStatus.SENDING, 1, "Claimed")
    assert message.html_body == "<p>All of it</p>"
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, queued.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.SENDING, 1)
    assert db.session.get(OutboxMessage, first.id).status == OutboxStatus.PENDING
    assert claim_next(event_id=event_id) is None
