"""The invitation email: a fresh sign-in link and the card QR, in the attendee's language."""

from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from checkin.columns import now_utc
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.mail.services import attachment, enqueue
from checkin.people.models import Attendee
from checkin.people.services import issue_signin_link, signin_url
from checkin.qr import card_payload, card_url, drawing_for

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
    if not attendee.person.email:
        raise DomainError("no_email", _("This attendee has no email address."), status=409)
    base_url = current_app.config["CHECKIN_BASE_URL"]
    # Drawn (and, the first time, committed) before the new link exists, so the link
    # and its email are written together or not at all.
    drawing = drawing_for(card_payload(base_url, attendee.card_code))
    secret = issue_signin_link(attendee, commit=False)
    language = language_for(attendee)
    subject, text, html = render_invitation(attendee, secret, language)
    attendee.invited_at = now_utc()
    message = enqueue(
        kind="invitation",
        event_id=attendee.event_id,
        recipient=f"attendee:{attendee.id}",
        to_address=attendee.person.email,
        subject=subject,
        text_body=text,
        html_body=html,
        attachments=[attachment("card-qr.png", "image/png", drawing.png, cid=QR_CID)],
        replace=True,
        commit=False,
    )
    db.session.commit()
    return message
