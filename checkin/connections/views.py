"""Exchanging cards: a card page with Connect, notes, People I met, vCards, my data, scanner."""

import csv
import io
import json
import re
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from checkin.connections.card_page import (
    page_version,
    public_part,
    public_version,
    viewer_page,
)
from checkin.connections.export import personal_data
from checkin.connections.forms import NoteForm
from checkin.connections.models import Connection
from checkin.connections.services import (
    card_as_seen,
    card_page_as_seen,
    connect_with_card,
    connection_for,
    met_columns,
    people_met,
    remove_connection,
    write_note,
)
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from checkin.faces.services import preload_photos, thumbnails
from checkin.i18n import current_language
from checkin.inputs import database_id, next_target
from checkin.people.cards import public_card, shared_contact
from checkin.people.models import Attendee
from checkin.people.services import attendee_by_card_code
from checkin.people.sessions import (
    held_attendee_ids,
    remember_card,
    signed_in_attendee,
    signed_in_attendees,
    signed_in_event_ids,
)
from checkin.people.vcard import (
    VCARD_MIMETYPE,
    content_disposition,
    serialize_vcards,
    vcard_filename,
    vcard_for,
    where_we_met,
)
from checkin.people.views import require_me
from checkin.text import spreadsheet_cell
from checkin.tokens import CARD_CODE_ALPHABET, CARD_CODE_LENGTH, normalize_card_code

bp = Blueprint("connections", __name__)

PAGE_SIZE = 50
CARD_CODE = re.compile(f"[{CARD_CODE_ALPHABET}]{{{CARD_CODE_LENGTH}}}")


# A card page no one is signed in to shows only its public part: the phone may keep it, and
# asks each time whether it changed (a 304 then costs no rendering and no bytes).
REVALIDATED = "private, no-cache"


@bp.after_request
def personal_pages_are_not_cached(response):
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def card_for(code: str) -> Attendee:
    card = attendee_by_card_code(normalize_card_code(code)[:16])
    if card is None:
        raise DomainError("unknown_card", _("No card has this code."), status=404)
    return card


def viewer_of(card: Attendee) -> Attendee:
    """The signed-in attendee of the card's event, or a clear refusal."""
    return required_viewer(signed_in_attendee(card.event))


def required_viewer(viewer: Attendee | None) -> Attendee:
    """``viewer``, the signed-in attendee of a card's event, or a clear refusal."""
    if viewer is None:
        if signed_in_event_ids():
            raise DomainError("wrong_event", _("This card belongs to another event."), status=404)
        raise DomainError("not_signed_in", _("Open the link in your invitation email to connect."),
                          status=403)
    return viewer


def seen_card(code: str, read=card_as_seen
              ) -> tuple[Attendee, Attendee | None, Connection | None, str]:
    """The card ``code`` names, the attendee this browser is signed in as at its event (or
    None), our connection and my note: one query (``read``: ``card_as_seen``, or
    ``card_page_as_seen`` for the same as plain rows)."""
    seen = read(normalize_card_code(code)[:16], held_attendee_ids())
    if seen is None:
        raise DomainError("unknown_card", _("No card has this code."), status=404)
    card = seen.card
    # The same sign-in check as every page, on the viewer the one query brought.
    viewer = signed_in_attendee(card.event, {i: seen_by for i, (seen_by, *_rest) in
                                             seen.viewers.items()})
    connection, note = None, ""
    if viewer is not None and viewer.id != card.id:
        connection, note = seen.viewers[viewer.id][1:] if viewer.id in seen.viewers \
            else connection_for(viewer, card)  # signed in through another event of the community
    return card, viewer, connection, note


def other_event_names(event: Event) -> list[str]:
    ids = [i for i in signed_in_event_ids() if i != event.id]
    if not ids:
        return []
    return [e.name for e in db.session.scalars(db.select(Event).where(Event.id.in_(ids)))]


@bp.get("/C/<code>", endpoint="card_upper")  # the QR's upper-case URL
@bp.get("/c/<code>")
def card(code: str):
    """A card: public to anyone with the code; to a fellow attendee, Connect or what we share."""
    card, viewer, connection, note = seen_card(code, read=card_page_as_seen)
    event = card.event
    if viewer is None:
        remember_card(card)
    version = public_version(card, current_language())
    page = dict(card=card, event=event, me=viewer, public=public_card(card.person))
    if viewer is None:
        page["public_part"] = public_part(card, version)
        return anonymous_card_page(card, version, page)
    # My own card: the preview of what others see, and what the people I connect with get.
    preview = viewer.id == card.id
    contact = shared_contact(card.person) if preview or connection else {}
    page.update(preview=preview, connection=connection, note=note, contact=contact,
                other_events=[])
    if "_flashes" in session:  # a message to show once: not a page to keep
        return render_template("connections/card.html",
                               public_part=public_part(card, version), **page)
    # Everything the page shows beyond the public part, so a kept page is never another's:
    # whose card it is to me, our connection, my note, what they share, whether they take
    # requests, and the address (its language links lead back to it).
    shown = page_version(version, request.script_root, request.full_path,
                         "preview" if preview else "connected" if connection else "",
                         note, json.dumps(contact, sort_keys=True),
                         str(card.person.accepts_requests))
    return viewer_page(shown, version, **page)


def anonymous_card_page(card: Attendee, version: str, page: dict) -> Response:
    """The card as someone not signed in at its event sees it, or 304 if their phone has it."""
    other_events = other_event_names(card.event)
    etag = page_version(version, request.full_path, *other_events)
    if "_flashes" in session:  # a message to show once: not a page to keep
        return render_template("connections/card.html", other_events=other_events, **page)
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(render_template("connections/card.html", other_events=other_events,
                                            **page))
    response.set_etag(etag)
    response.headers["Cache-Control"] = REVALIDATED
    return response


@bp.post("/c/<code>/connect")
def connect(code: str):
    """Connect with the card's owner (idempotent; either side connecting makes one pair)."""
    # Plain rows first: tapping Connect again (a double tap, a phone sending the form twice)
    # only finds the pair's connection. A new one is recorded from the models its use case takes.
    card, viewer, connection, _note = seen_card(code, read=card_page_as_seen)
    required_viewer(viewer)
    if connection is None:
        card, viewer, connection, _note = seen_card(code)
    connection, new = connect_with_card(required_viewer(viewer), card, connection)
    name = card.person.display_name
    if new:
        flash(_("You and %(name)s are connected.", name=name), "success")
    else:
        flash(_("You were already connected with %(name)s.", name=name), "success")
    return redirect(url_for("connections.card", code=card.card_code, _anchor="note"), code=303)


@bp.post("/c/<code>/remove")
def remove(code: str):
    """Take someone I do not recognise out of People I met (they lose what I share)."""
    card = card_for(code)
    viewer = viewer_of(card)
    remove_connection(viewer, card)
    flash(_("%(name)s is no longer in People I met and no longer sees your details.",
            name=card.person.display_name), "success")
    return redirect(url_for("connections.met", slug=card.event.slug), code=303)


@bp.post("/c/<code>/note")
def note(code: str):
    """My private note about someone I met."""
    card, viewer, connection, _old = seen_card(code)
    viewer = required_viewer(viewer)
    if connection is None:
        raise DomainError("not_connected", _("Connect first, then write a note."), status=404)
    form = NoteForm()
    if not form.validate():
        raise DomainError("note_too_long", " ".join(form.text.errors), status=400)
    write_note(viewer, connection, form.text.data)
    flash(_("Note saved."), "success")
    default = url_for("connections.card", code=card.card_code)
    return redirect(next_target(request.form.get("next"), default), code=303)


def vcard_of(me: Attendee, met_connection, other: Attendee, note: str, photos: dict):
    """The vCard of someone I met; ``photos`` is ``checkin.faces.services.thumbnails``."""
    meeting = where_we_met(me.event, met_connection.created_at)
    photo = photos.get(other.person_id)
    return vcard_for(other.person, note="\n".join(t for t in (meeting, note) if t),
                     photo=photo[1] if photo else None)


def vcard_response(text: str, filename: str) -> Response:
    return Response(text.encode(), headers={"Content-Type": VCARD_MIMETYPE,
                                            "Content-Disposition": content_disposition(filename)})


@bp.get("/c/<code>/vcard")
def save_contact(code: str):
    """*Save contact*: the vCard of someone I connected with."""
    card, viewer, connection, note = seen_card(code)
    viewer = required_viewer(viewer)
    if connection is None:
        raise DomainError("not_connected", _("Connect first to save the contact."), status=404)
    text = serialize_vcards([vcard_of(viewer, connection, card, note,
                                      thumbnails([card.person_id]))])
    return vcard_response(text, vcard_filename(card.person))


@bp.get("/e/<slug>/met")
def met(slug: str):
    """People I met: newest first, with my notes, searchable, a page at a time."""
    event, me = require_me(slug)
    query = request.args.get("q", "")[:100]
    page = request.args.get("page", 1, type=database_id)
    rows = people_met(me, query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    preload_photos(m.other.person for m in rows[:PAGE_SIZE])
    return render_template("connections/met.html", event=event, me=me, rows=rows[:PAGE_SIZE],
                           query=query, page=page, more=len(rows) > PAGE_SIZE,
                           contacts={m.other.id: shared_contact(m.other.person)
                                     for m in rows[:PAGE_SIZE]})


@bp.get("/e/<slug>/met.vcf")
def met_vcf(slug: str):
    """*Save all*: every person I met in one .vcf."""
    event, me = require_me(slug)
    rows = people_met(me, limit=None)
    photos = thumbnails(m.other.person_id for m in rows)
    text = serialize_vcards(vcard_of(me, m.connection, m.other, m.note, photos) for m in rows)
    return vcard_response(text, f"{event.slug}-contacts.vcf")


@bp.get("/e/<slug>/met.csv")
def met_csv(slug: str):
    """People I met as a spreadsheet (UTF-8 with a BOM, so Excel reads accents right)."""
    event, me = require_me(slug)
    zone = ZoneInfo(event.timezone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(met_columns())
    for m in people_met(me, limit=None):
        person, contact = m.other.person, shared_contact(m.other.person)
        row = (person.display_name, person.headline, person.company, contact.get("email", ""),
               contact.get("phone", ""), " ".join(contact.get("links", [])), person.what_i_do,
               person.offer, person.need, m.note,
               m.connection.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
        writer.writerow([spreadsheet_cell(v) for v in row])
    return Response("\ufeff" + out.getvalue(), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": content_disposition(f"{event.slug}-contacts.csv")})


@bp.get("/e/<slug>/me/data.json")
def my_data(slug: str):
    """Everything this service keeps about me at this event, as JSON."""
    _event, me = require_me(slug)
    body = json.dumps(personal_data(me), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": content_disposition(f"checkin-{slug}-my-data.json")})


@bp.get("/scan")
def scan():
    """The in-app scanner; a typed card code is the way in when the camera is refused.

    A code read or typed opens its card; one that is no card's stays here and says what was read.
    """
    typed = request.args.get("code")
    error = refused = None
    if typed is not None:
        code = normalize_card_code(typed)
        if not CARD_CODE.fullmatch(code):
            error = _("A card code has 10 letters and digits, as printed under the QR.")
        elif attendee_by_card_code(code) is None:
            refused = code  # the camera may still see it: read again, it is not sent again
            error = _("No card has the code %(code)s. Check it against the one printed under "
                      "the QR, or scan again.", code=code)
        else:
            return redirect(url_for("connections.card", code=code), code=303)
    me = next(iter(signed_in_attendees()), None)  # the navigation of the latest sign-in
    return render_template("connections/scan.html", error=error, me=me,
                           event=me.event if me else None,
                           card_prefix=current_app.config["CHECKIN_BASE_URL"] + "/c/",
                           typed=typed or "", refused=refused), 400 if error else 200
