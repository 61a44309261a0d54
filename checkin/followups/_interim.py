"""Stand-ins for checkin.people.cards/vcard until the people helper's modules are on main."""

from zoneinfo import ZoneInfo

import vobject
from flask_babel import format_date
from flask_babel import gettext as _


def _line(text):
    return " ".join((text or "").split())


def shared_contact(person) -> dict:
    contact = {}
    if person.share_email and person.email:
        contact["email"] = person.email
    if person.share_phone and person.phone:
        contact["phone"] = person.phone
    links = [x for x in person.links or [] if x.startswith(("https://", "http://"))]
    if person.share_links and links:
        contact["links"] = links[:5]
    return contact


def vcard_for(person, *, shared_only=True, note=""):
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=_line(person.last_name),
                                             given=_line(person.first_name))
    card.add("fn").value = _line(person.display_name)
    contact = shared_contact(person)
    if contact.get("email"):
        card.add("email").value = contact["email"]
    if contact.get("phone"):
        card.add("tel").value = _line(contact["phone"])
    for link in contact.get("links", []):
        card.add("url").value = link
    if note:
        card.add("note").value = note
    return card


def serialize_vcards(cards) -> str:
    return "".join(card.serialize() for card in cards)


def where_we_met(event, at) -> str:
    local = at.astimezone(ZoneInfo(event.timezone))
    return _("Met at %(event)s, %(date)s", event=event.name,
             date=format_date(local.date(), "medium"))
