"""After the event: closing it, queueing every follow-up in batches, test copies, unsubscribing."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from checkin.accounts.models import Organizer
from checkin.columns import now_utc
from checkin.connections.models import Connection
from checkin.connections.services import connection_removed
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.events.services import close_event
from checkin.extensions import db
from checkin.followups.render import (
    KIND,
    KIND_TEST,
    followup_contexts,
    owners_of,
    render_followup,
    render_followup_email,
)
from checkin.followups.suggestions import SuggestionIndex
from checkin.followups.summary import KIND_SUMMARY, queue_summaries, render_summary
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.mail.sender import DeliveryStopped, Tally, deliver_pending
from checkin.mail.services import enqueue, message_fields, resend
from checkin.people.guests import attendee_removed
from checkin.people.invitations import queue_invitation
from checkin.people.models import Attendee, Person
from checkin.text import contains_pattern

BATCH_SIZE = 100  # a short write transaction: senders commit between batches


def close(event: Event) -> Event:
    """Close the event: no more connections or notes; follow-ups can be sent."""
    return close_event(event)


def require_closed(event: Event) -> None:
    if not event.is_closed:
        raise DomainError("event_open", _l("Close the event before sending the follow-ups."),
                          status=409)


def was_there():
    """Attendees who were at the event: checked in at the door, or exchanged a card."""
    met = exists().where(or_(Connection.low_id == Attendee.id, Connection.high_id == Attendee.id))
    return or_(Attendee.checked_in_at.is_not(None), met)


def recipients_query(event: Event):
    """Who gets a follow-up: was there, has an address, did not unsubscribe."""
    return (select(Attendee).join(Person, Person.id == Attendee.person_id)
            .where(Attendee.event_id == event.id, was_there(), Person.email != "",
                   Person.followups_unsubscribed_at.is_(None)))


def count_recipients(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(recipients_query(event).subquery()))


def queue_followups(event: Event, batch_size: int = BATCH_SIZE,
                    on_batch: Callable[[int], None] | None = None,
                    seconds: float | None = None) -> int:
    """Render and queue every attendee's follow-up, ``batch_size`` at a time; the number added.

    One transaction per batch, and nothing kept from one batch to the next, so
    memory stays flat however large the event. Running it again adds nothing for anyone already
    queued (the outbox holds one follow-up per attendee), so a stopped run continues.
    With ``seconds`` no new batch starts after that long (a web request); call again.
    """
    deadline = None if seconds is None else time.monotonic() + seconds
    require_closed(event)
    event_id = event.id
    index = SuggestionIndex.for_event(event_id)
    owners = owners_of(event)
    reply_to = owners[0].email if owners else ""
    added, last_id = 0, 0
    while deadline is None or time.monotonic() < deadline:
        batch = db.session.scalars(
            recipients_query(event).where(Attendee.id > last_id)
            .options(joinedload(Attendee.person), joinedload(Attendee.event))
            .order_by(Attendee.id).limit(batch_size)
        ).all()
        if not batch:
            break
        last_id = batch[-1].id
        try:
            added += _queue_batch(event_id, batch, index, reply_to)
            db.session.commit()
        except IntegrityError:  # another run queued some of these first: theirs stand
            db.session.rollback()
        if on_batch:
            on_batch(len(batch))
        # The session holds rows weakly once committed: each batch is freed as the next loads.
        del batch
    return added


def _queue_batch(event_id: int, batch: list[Attendee], index, reply_to: str) -> int:
    """Render the batch's follow-ups not queued yet and add them in one statement."""
    wanted = [f"attendee:{a.id}" for a in batch]
    queued = set(db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.kind == KIND,
                                              OutboxMessage.event_id == event_id,
                                              OutboxMessage.recipient.in_(wanted))))
    rows = []
    for followup in followup_contexts([a for a in batch if f"attendee:{a.id}" not in queued],
                                      index=index, reply_to=reply_to):
        email = render_followup_email(followup)
        rows.append({"kind": KIND, "event_id": event_id,
                     "recipient": f"attendee:{followup.attendee_id}", **message_fields(
                         to_address=email.to_address, subject=email.subject,
                         text_body=email.text, html_body=email.html,
                         attachments=email.attachments, headers=email.headers)})
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
    return len(rows)


@dataclass
class FollowupRun:
    """What one "send the follow-ups now" did, and where the event's emails stand after it."""

    event_id: int
    recipients: int = 0  # attendees who get a follow-up
    queued: int = 0  # follow-ups rendered and queued by this run
    summaries_queued: int = 0
    sent: int = 0
    failed: int = 0
    stopped: str = ""  # why delivery stopped early (nothing is lost)
    unrendered: int = 0  # recipients whose follow-up is not in the outbox yet (time ran out)
    outbox: dict = field(default_factory=dict)  # the follow-ups and summaries by status

    @property
    def waiting(self) -> int:
        """Emails not out yet: still in the outbox, or still to render."""
        return self.outbox.get("pending", 0) + self.outbox.get("sending", 0) + self.unrendered


SENDING = (KIND, KIND_SUMMARY)


def send_followups(event: Event, *, render_seconds: float | None = None,
                   deliver_seconds: float | None = None,
                   on_batch: Callable[[int], None] | None = None,
                   deliver: Callable[["FollowupRun"], Tally] | None = None) -> FollowupRun:
    """Send the follow-ups now: render and queue every attendee's follow-up and each owner's
    summary, deliver them, and count where they stand. The Follow-ups page, the API and
    the CLI all call this; running it again queues nothing twice and carries on.

    A web request bounds both steps: no new batch is rendered after ``render_seconds`` and
    no new message is sent after ``deliver_seconds`` (0: only queue); without them the run
    goes to the end. ``on_batch(n)`` hears of each rendered batch; ``deliver(run)``
    replaces the delivery (the CLI's, with its progress bar).
    """
    require_closed(event)
    event_id = event.id
    run = FollowupRun(event_id=event.id)
    run.queued = queue_followups(event, on_batch=on_batch, seconds=render_seconds)
    event = db.session.get(Event, event_id)  # the batches' commits expired it
    run.summaries_queued = queue_summaries(event)
    if deliver_seconds != 0:
        try:
            tally = (deliver or _delivery(deliver_seconds))(run)
        except DeliveryStopped as error:
            run.stopped = str(error)
        else:
            run.sent, run.failed = tally.sent, tally.failed
    event = db.session.get(Event, event_id)
    run.recipients = count_recipients(event)
    run.outbox = outbox_counts(event_id)
    run.unrendered = max(0, run.recipients - outbox_counts(event_id, (KIND,))["total"])
    return run


def _delivery(seconds: float | None) -> Callable[[FollowupRun], Tally]:
    def deliver(run: FollowupRun) -> Tally:
        return deliver_pending(event_id=run.event_id, kinds=SENDING, wait=seconds is None,
                               seconds=seconds)
    return deliver


def outbox_counts(event_id: int, kinds=(KIND, "summary")) -> dict[str, int]:
    """How many of the event's messages of ``kinds`` are in each status."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.event_id == event_id, OutboxMessage.kind.in_(kinds))
        .group_by(OutboxMessage.status)).all()
    counts = {s.value: 0 for s in OutboxStatus} | dict(rows)
    return counts | {"total": sum(counts.values())}


def send_test_copy(event: Event, attendee: Attendee, organizer: Organizer) -> OutboxMessage:
    """Queue ``attendee``'s follow-up, as rendered, to ``organizer`` (replacing any earlier
    test copy of theirs); the attendee's private notes are replaced by a placeholder."""
    if attendee.event_id != event.id:
        raise DomainError("not_found", _l("No such attendee."), status=404)
    email = render_followup(attendee, for_organizer=True)
    subject = gettext("[Test copy for %(name)s] %(subject)s", name=attendee.person.display_name,
                subject=email.subject)
    return enqueue(kind=KIND_TEST, event_id=event.id, recipient=f"organizer:{organizer.id}",
                   to_address=organizer.email, subject=subject, text_body=email.text,
                   html_body=email.html, attachments=email.attachments,
                   headers={"Auto-Submitted": "auto-generated"}, replace=True)


def resend_message(event: Event, message: OutboxMessage) -> OutboxMessage:
    """Queue one of the event's messages again, unless a live sender holds it right now (one
    a killed sender left behind can be) or it is a follow-up to someone who unsubscribed.

    A delivered copy that lost its private parts is rendered anew: a follow-up as it reads
    now, an invitation with a new sign-in link (the old one stops). Other such copies (a
    staff link) are refused: they are made again where they were made."""
    if message.event_id != event.id:
        raise DomainError("not_found", _l("No such message."), status=404)
    attendee = None
    if message.recipient.startswith("attendee:"):
        attendee = db.session.get(Attendee, int(message.recipient.partition(":")[2]))
    if message.kind == KIND and attendee is not None:
        if attendee.person.followups_unsubscribed_at is not None:
            raise DomainError("unsubscribed", _l("This person unsubscribed from follow-ups."),
                              status=409)
        if message.redacted_at is not None:
            email = render_followup(attendee)
            return enqueue(kind=KIND, event_id=event.id, recipient=message.recipient,
                           to_address=email.to_address, subject=email.subject,
                           text_body=email.text, html_body=email.html,
                           attachments=email.attachments, headers=email.headers, replace=True)
    if message.kind == "invitation" and attendee is not None and message.redacted_at:
        return queue_invitation(attendee)
    return resend(message)


def unsubscribe(person: Person) -> None:
    """``person`` gets no more follow-up emails; those still waiting are not sent."""
    if person.followups_unsubscribed_at is None:
        person.followups_unsubscribed_at = now_utc()
    waiting = select(Attendee.id).where(Attendee.person_id == person.id)
    recipients = [f"attendee:{a}" for a in db.session.scalars(waiting)]
    for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == KIND,
                                        OutboxMessage.recipient.in_(recipients),
                                        OutboxMessage.status == OutboxStatus.PENDING)):
        message.status = OutboxStatus.FAILED.value
        message.last_error = "unsubscribed"
    db.session.commit()


def forget_in_pending_emails(_sender, *, event_id: int, name: str, **_details) -> None:
    """Someone just removed must not appear in others' emails still waiting to go out.

    Each pending follow-up of the event that names them (as someone met or someone to
    meet) is rendered again without them, each pending summary is rendered again (its
    guest list names everyone), and pending test copies are dropped. A name shared with
    someone else costs only a needless re-render. Runs inside the removal's transaction.
    """
    pending = select(OutboxMessage).where(OutboxMessage.event_id == event_id,
                                          OutboxMessage.status == OutboxStatus.PENDING)
    mentions = pending.where(OutboxMessage.kind == KIND, OutboxMessage.text_body.like(
        contains_pattern(name), escape="\\"))
    followups = db.session.scalars(mentions).all()
    summaries = db.session.scalars(pending.where(OutboxMessage.kind == KIND_SUMMARY)).all()
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.event_id == event_id, OutboxMessage.kind == KIND_TEST,
        OutboxMessage.status == OutboxStatus.PENDING))
    _render_again(event_id, followups, summaries)


def _render_again(event_id: int, followups: list[OutboxMessage],
                  summaries: list[OutboxMessage]) -> None:
    """Render these pending follow-ups and summaries of the event again, in place."""
    if not followups and not summaries:
        return
    event = db.session.get(Event, event_id)
    index = SuggestionIndex.for_event(event_id)
    owners = owners_of(event)
    reply_to = owners[0].email if owners else ""
    for message in followups:
        attendee = db.session.get(Attendee, int(message.recipient.partition(":")[2]))
        _rewrite(message, render_followup(attendee, index=index, reply_to=reply_to))
    for message in summaries:
        organizer = db.session.get(Organizer, int(message.recipient.partition(":")[2]))
        _rewrite(message, render_summary(event, organizer))


def _rewrite(message: OutboxMessage, email) -> None:
    for name, value in message_fields(
            to_address=email.to_address, subject=email.subject, text_body=email.text,
            html_body=email.html, attachments=email.attachments,
            headers=email.headers).items():
        setattr(message, name, value)


def forget_removed_connection(_sender, *, event_id: int, attendee_ids: tuple[int, ...],
                              **_details) -> None:
    """A connection was removed: the two pending follow-ups that listed it (one each) and
    the event's pending summaries are rendered again. Runs inside the removal's transaction.
    """
    recipients = [f"attendee:{attendee_id}" for attendee_id in attendee_ids]
    pending = select(OutboxMessage).where(OutboxMessage.event_id == event_id,
                                          OutboxMessage.status == OutboxStatus.PENDING)
    followups = db.session.scalars(pending.where(OutboxMessage.kind == KIND,
                                                 OutboxMessage.recipient.in_(recipients))).all()
    summaries = db.session.scalars(pending.where(OutboxMessage.kind == KIND_SUMMARY)).all()
    _render_again(event_id, followups, summaries)


attendee_removed.connect(forget_in_pending_emails)
connection_removed.connect(forget_removed_connection)
