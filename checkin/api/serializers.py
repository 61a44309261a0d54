"""How the API writes the domain's objects as JSON."""

from zoneinfo import ZoneInfo

from flask import current_app

from checkin.api.common import iso
from checkin.door.codes import codes_in
from checkin.door.models import CheckIn
from checkin.door.services import ScanLog
from checkin.events.models import Event
from checkin.people.models import Attendee


def event_json(event: Event, role: str | None = None) -> dict:
    zone = ZoneInfo(event.timezone)
    base = current_app.config["CHECKIN_BASE_URL"]
    data = {
        "slug": event.slug,
        "name": event.name,
        "community": event.community.slug,
        "starts_at": event.starts_at.astimezone(zone).isoformat(),
        "ends_at": event.ends_at.astimezone(zone).isoformat(),
        "timezone": event.timezone,
        "venue": event.venue,
        "default_language": event.default_language,
        "walk_ins_allowed": event.walk_ins_allowed,
        "state": event.state,
        "created_at": iso(event.created_at),
        "closed_at": iso(event.closed_at),
        "join_url": f"{base}/e/{event.slug}",
    }
    if role is not None:
        data["role"] = role
    return data


def card_url(attendee: Attendee) -> str:
    return f"{current_app.config['CHECKIN_BASE_URL']}/c/{attendee.card_code}"


def attendee_json(attendee: Attendee) -> dict:
    """Everything an owner sees of a guest."""
    person = attendee.person
    return {
        **door_attendee_json(attendee),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "headline": person.headline,
        "language": person.language,
        "ticket_code": attendee.ticket_code,
        "ticket_source": attendee.ticket_source,
        "source": attendee.source,
        "invited_at": iso(attendee.invited_at),
        "signin_issued_at": iso(attendee.signin_issued_at),
        "created_at": iso(attendee.created_at),
    }


def door_attendee_json(attendee: Attendee, cards: bool = True) -> dict:
    """What the door may see of a guest: no email, no phone; the card code for owners only
    (``cards``): door staff check people in, they do not collect the codes that open cards."""
    person = attendee.person
    data = {
        "id": attendee.id,
        "display_name": person.display_name,
        "company": person.company,
        "ticket_type": attendee.ticket_type,
        "attention_note": attendee.attention_note,
        "checked_in_at": iso(attendee.checked_in_at),
        "checked_in_gate": attendee.checked_in_gate,
        "inside": attendee.inside,
    }
    if cards:
        data.update(card_code=attendee.card_code, card_url=card_url(attendee))
    return data


def checkin_json(log: CheckIn | ScanLog, cards: bool = True) -> dict:
    """One scan of the log (a loaded row, or a scan's answer's record); without ``cards``
    (door staff), a scanned card code reads ""."""
    return {
        "id": log.id,
        "type": log.kind,
        "code": log.code if cards or codes_in(log.code)[0] is None else "",
        "result": log.result,
        "attendee_id": log.attendee_id,
        "scanned_at": iso(log.scanned_at),
        "received_at": iso(log.received_at),
        "gate": log.gate,
        "device": log.device,
        "nonce": log.nonce,
        "undone_at": iso(log.undone_at),
    }
