"""The invitation email: a fresh sign-in link and the card QR, in the attendee's language."""

import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.events.calendar import event_calendar
from checkin.events.models import Event, EventState
from checkin.events.services import REMINDER_KIND, require_open
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.mail.services import attachment, put_in_outbox, rendered_at_send, rewrite
from checkin.people.models import Attendee, Person
from checkin.people.services import new_signin_secret, sign_out_everywhere, signin_url
from checkin.qr import card_payload, card_url, drawing_for, drawings_for
from checkin.qr.models import QrDrawing

QR_CID = "card-qr@checkin"


def language_for(attendee: Attendee) -> str:
    """The attendee's own language if they chose one, else the event's."""
    return attendee.person.language or attendee.event.default_language or "en"


def event_when(event, language: str) -> str:
    """"Thursday, November 26, 2026 · 19:00" in the event's time zone and ``language``."""
    local = event.starts_at.astimezone(ZoneInfo(event.timezone))
    return (f"{format_date(local.date(), 'full', locale=language)} · "
            f"{format_time(local.time(), 'short', locale=language)}")


def render_invitation(attendee: Attendee, secret: str, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of the invitation, rendered in ``language``."""
    base_url = current_app.config["CHECKIN_BASE_URL"]
    event = attendee.event
    context = {
        "person": attendee.person,
        "event": event,
        "when": event_when(event, language),
        "link": signin_url(secret),
        "card_url": card_url(base_url, attendee.card_code),
        "card_code": attendee.card_code,
        "event_page": f"{base_url}/e/{event.slug}",
        "qr_cid": QR_CID,
        "started": now_utc() >= event.starts_at,  # "before the event" reads wrong once it began
    }
    with force_locale(language):
        subject = _("Your card for %(event)s", event=event.name)
        text = render_template("people/mail/invitation.txt", **context)
        html = render_template("people/mail/invitation.html", **context)
    return subject, text, html


def queue_invitation(attendee: Attendee) -> OutboxMessage:
    """Issue a fresh sign-in link and put the invitation in the outbox (replacing any earlier).

    The earlier link stops working. Commits. Refuses an attendee without an email address.
    """
    message = add_invitation(attendee, card_drawing(attendee))
    db.session.commit()
    return message


def send_new_link(attendee: Attendee) -> OutboxMessage:
    """The organizer's "new link": the old link and every phone it signed in stop working and
    a new link goes to the guest's inbox, never to the organizer's screen (whoever holds it
    reads that guest's private notes). All or nothing: a guest without an address keeps
    their link. Commits."""
    drawing = card_drawing(attendee)
    sign_out_everywhere(attendee)
    message = add_invitation(attendee, drawing)
    db.session.commit()
    return message


def card_drawing(attendee: Attendee) -> QrDrawing:
    return drawing_for(card_payload(current_app.config["CHECKIN_BASE_URL"], attendee.card_code))


def add_invitation(attendee: Attendee, drawing: QrDrawing) -> OutboxMessage:
    """A new sign-in link for ``attendee`` and its invitation in the outbox, in the session:
    the caller commits, so the link and its email are written together or not at all."""
    if not attendee.person.email:
        raise DomainError("no_email", _l("This attendee has no email address."), status=409)
    secret = new_signin_secret(attendee, sent_to=attendee.person.email)
    language = language_for(attendee)
    subject, text, html = render_invitation(attendee, secret, language)
    attendee.invited_at = now_utc()
    base_url = current_app.config["CHECKIN_BASE_URL"]
    calendar = event_calendar(attendee.event, base_url, now_utc())
    message = put_in_outbox(
        kind="invitation",
        event_id=attendee.event_id,
        recipient=f"attendee:{attendee.id}",
        to_address=attendee.person.email,
        subject=subject,
        text_body=text,
        html_body=html,
        attachments=[attachment("card-qr.png", "image/png", drawing.png, cid=QR_CID),
                     attachment(f"{attendee.event.slug}.ics", "text/calendar", calendar)],
        replace=True,
    )
    schedule_reminder(attendee)
    return message


def card_is_empty(person: Person) -> bool:
    """Nothing yet on the card that tells others why to meet this person."""
    return not any((person.headline, person.what_i_do, person.offer, person.need, person.pitch))


def render_reminder(attendee: Attendee, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of the reminder before the event, in ``language``: when and where,
    the card's page (no sign-in link: the invitation carries that), and a nudge to fill the
    card in while it is empty."""
    base_url = current_app.config["CHECKIN_BASE_URL"]
    event = attendee.event
    context = {"person": attendee.person, "event": event, "when": event_when(event, language),
               "card_page": f"{base_url}/e/{event.slug}/me", "card_code": attendee.card_code,
               "card_empty": card_is_empty(attendee.person),
               "event_page": f"{base_url}/e/{event.slug}"}
    with force_locale(language):
        subject = _("Reminder: %(event)s, %(when)s", event=event.name, when=context["when"])
        text = render_template("people/mail/reminder.txt", **context)
        html = render_template("people/mail/reminder.html", **context)
    return subject, text, html


def schedule_reminder(attendee: Attendee) -> None:
    """Put the reminder in the outbox, waiting until its hour (``Event.reminder_at``), unless
    the organizer turned reminders off or that hour has passed. What it says, and whether it
    still goes, is decided again when it goes out (``reminder_as_of_now``). Only adds."""
    due = attendee.event.reminder_at
    if due is None or due <= now_utc() or attendee.checked_in_at is not None:
        return
    subject, text, html = render_reminder(attendee, language_for(attendee))
    put_in_outbox(kind=REMINDER_KIND, event_id=attendee.event_id,
                  recipient=f"attendee:{attendee.id}", to_address=attendee.person.email,
                  subject=subject, text_body=text, html_body=html, replace=True, send_at=due)


@rendered_at_send(REMINDER_KIND)
def reminder_as_of_now(message: OutboxMessage) -> bool:
    """At its hour: the reminder as the guest's card and address are now, or False when it
    is no longer to send (checked in already, removed, no address, the event closed, begun
    or its reminders turned off)."""
    attendee = db.session.get(Attendee, int(message.recipient.split(":", 1)[1]))
    if attendee is None or attendee.checked_in_at is not None or not attendee.person.email:
        return False
    event = attendee.event
    if event.state == EventState.CLOSED or event.reminder_at is None \
            or event.starts_at <= now_utc():
        return False
    subject, text, html = render_reminder(attendee, language_for(attendee))
    rewrite(message, to_address=attendee.person.email, subject=subject, text_body=text,
            html_body=html)
    return True


@dataclass
class InvitationTally:
    queued: int = 0
    no_email: int = 0
    remaining: int = 0


INVITE_BATCH = 100


def invite_attendees(event: Event, *, attendee_ids: list[int] | None = None,
                     resend: bool = False, time_budget: float | None = None,
                     progress=None) -> InvitationTally:
    """Put invitation emails in the outbox: for ``attendee_ids``, else every guest not yet
    invited (or, with ``resend``, every guest: each gets a new link, the old one stops).

    Works in batches, one transaction each, and stops after ``time_budget`` seconds, saying
    how many remain, so a web request never runs long; the CLI passes no budget and sends
    them all.
    """
    require_open(event)
    started = time.monotonic()
    chosen = select(Attendee.id).where(Attendee.event_id == event.id)
    if attendee_ids is not None:
        chosen = chosen.where(Attendee.id.in_(attendee_ids[:10_000]))
    elif not resend:
        chosen = chosen.where(Attendee.invited_at.is_(None))
    with_email = chosen.join(Person, Person.id == Attendee.person_id).where(Person.email != "")
    tally = InvitationTally(no_email=db.session.scalar(
        select(func.count()).select_from(chosen.subquery())) - db.session.scalar(
        select(func.count()).select_from(with_email.subquery())))
    ids = db.session.scalars(with_email.order_by(Attendee.id)).all()
    base_url = current_app.config["CHECKIN_BASE_URL"]
    for start in range(0, len(ids), INVITE_BATCH):
        if time_budget is not None and time.monotonic() - started > time_budget:
            tally.remaining = len(ids) - start
            break
        batch = db.session.scalars(
            select(Attendee).where(Attendee.id.in_(ids[start:start + INVITE_BATCH]))
            .options(joinedload(Attendee.person)).order_by(Attendee.id)).all()
        # Drawn before this batch writes anything (each new drawing is its own transaction).
        drawings = drawings_for([card_payload(base_url, a.card_code) for a in batch])
        for attendee in batch:
            add_invitation(attendee, drawings[card_payload(base_url, attendee.card_code)])
        db.session.commit()
        tally.queued += len(batch)
        if progress:
            progress(len(batch))
        db.session.expunge_all()  # keep memory flat over thousands of guests
        db.session.add(event)  # the caller's event stays usable
    return tally
