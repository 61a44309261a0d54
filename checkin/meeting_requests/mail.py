"""The emails of a request to meet: to the person asked (with the asker's public card), and
to the asker once accepted (with how to reach the other), each in its reader's language.

Both are rendered again when they go out (``rendered_at_send``): a card edited since reads as
it is now, and an email whose request is gone (either person deleted), answered or expired
is not sent at all.
"""

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, delete, literal, select

from checkin.connections.services import connection_between
from checkin.extensions import db
from checkin.faces.services import thumbnails
from checkin.mail.models import OutboxMessage
from checkin.mail.services import (
    attachment,
    personal_kind,
    put_in_outbox,
    rendered_at_send,
    rewrite,
)
from checkin.meeting_requests.models import MeetingRequest, RequestState
from checkin.people.cards import public_card, shared_contact
from checkin.people.guests import attendee_removed
from checkin.people.invitations import event_when, language_for
from checkin.people.models import Attendee

# Who asked whom is theirs: no organizer page lists these (see ``personal_kind``).
KIND_REQUEST = personal_kind("meeting_request")  # to the person asked
KIND_ACCEPTED = personal_kind("meeting_accepted")  # to the asker, once accepted
FACE_CID = "face@checkin"


def _content(reader: Attendee, other: Attendee, request: MeetingRequest, template: str,
             subject, **extra) -> dict:
    """``message_fields``'s arguments for the email to ``reader`` about ``other``, in
    ``reader``'s language (``subject`` is lazily translated)."""
    base_url = current_app.config["CHECKIN_BASE_URL"]
    event = reader.event
    language = language_for(reader)
    photo = thumbnails([other.person_id]).get(other.person_id)
    with force_locale(language):
        context = {"event": event, "person": reader.person, "other": other.person,
                   "card": public_card(other.person), "message": request.message,
                   "when": event_when(event, language), "language": language,
                   "requests_url": f"{base_url}/e/{event.slug}/requests",
                   "card_url": f"{base_url}/c/{other.card_code}", "face_cid": FACE_CID,
                   "has_face": photo is not None, **extra}
        return {
            "to_address": reader.person.email,
            "subject": str(subject),
            "text_body": render_template(f"meeting_requests/mail/{template}.txt", **context),
            "html_body": render_template(f"meeting_requests/mail/{template}.html", **context),
            "attachments": [attachment(f"{photo[0]}.jpg", "image/jpeg", photo[1],
                                       cid=FACE_CID)] if photo else [],
            "headers": {"Auto-Submitted": "auto-generated"},
        }


def request_content(request: MeetingRequest) -> dict:
    asker, event = request.asker, request.target.event
    return _content(request.target, asker, request, "request", _l(
        "%(name)s would like to meet you at %(event)s", name=asker.person.display_name,
        event=event.name))


def accepted_content(request: MeetingRequest) -> dict:
    return _content(request.asker, request.target, request, "accepted", _l(
        "%(name)s accepted: you are connected", name=request.target.person.display_name),
        contact=shared_contact(request.target.person))


def add_request_email(request: MeetingRequest) -> None:
    """The person asked hears of it: who, their public card and line, where to answer.
    Added to the session; the caller commits. Nobody without an address: the Requests
    page shows it all the same."""
    if request.target.person.email:
        put_in_outbox(kind=KIND_REQUEST, event_id=request.event_id,
                      recipient=f"request:{request.id}", **request_content(request))


def add_accepted_email(request: MeetingRequest) -> None:
    """The asker hears they are connected, with how to reach the other. Added to the
    session; the caller commits."""
    if request.asker.person.email:
        put_in_outbox(kind=KIND_ACCEPTED, event_id=request.event_id,
                      recipient=f"request:{request.id}", **accepted_content(request))


def _request_of(message: OutboxMessage) -> MeetingRequest | None:
    kind, _sep, number = message.recipient.partition(":")
    if kind != "request" or not number.isdigit():
        return None
    return db.session.get(MeetingRequest, int(number))


@rendered_at_send(KIND_REQUEST)
def request_as_of_now(message: OutboxMessage) -> bool:
    """Still to send only while the request waits for an answer."""
    from checkin.meeting_requests.services import as_seen_by_asker

    request = _request_of(message)
    if request is None or request.state != RequestState.PENDING \
            or as_seen_by_asker(request) != "pending" or not request.target.person.email:
        return False
    rewrite(message, **request_content(request))
    return True


@rendered_at_send(KIND_ACCEPTED)
def accepted_as_of_now(message: OutboxMessage) -> bool:
    """Still to send only while the two are connected (neither removed the other since)."""
    request = _request_of(message)
    if request is None or request.state != RequestState.ACCEPTED \
            or connection_between(request.asker, request.target) is None \
            or not request.asker.person.email:
        return False
    rewrite(message, **accepted_content(request))
    return True


def forget_emails_of_requests_gone(_app, event_id: int, **_details) -> None:
    """Someone left the event: the request emails that named them (their requests went with
    them, by cascade) leave the outbox too, sent or not. Flushes; the removal commits."""
    remaining = select(literal("request:").concat(cast(MeetingRequest.id, String))).where(
        MeetingRequest.event_id == event_id)
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.event_id == event_id,
        OutboxMessage.kind.in_((KIND_REQUEST, KIND_ACCEPTED)),
        OutboxMessage.recipient.not_in(remaining)).execution_options(synchronize_session=False))


attendee_removed.connect(forget_emails_of_requests_gone)
