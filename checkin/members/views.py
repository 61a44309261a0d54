"""A member's community pages: My events, My network (and its exports), the directory."""

import csv
import io
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from checkin.columns import now_utc
from checkin.communities.models import COMMUNITY_LIMITS, Community
from checkin.events.models import Event
from checkin.extensions import db
from checkin.faces.services import preload_photos
from checkin.inputs import database_id
from checkin.introductions.services import count_waiting_for
from checkin.members.directory import askable_at, listed_members
from checkin.members.network import SORTS, network_of
from checkin.people.cards import shared_contact
from checkin.people.forms import ResendForm
from checkin.people.models import Attendee, Person
from checkin.people.sessions import signed_in_member
from checkin.people.vcard import (
    content_disposition,
    serialize_vcards,
    vcard_for,
    where_we_met,
)
from checkin.text import spreadsheet_cell

bp = Blueprint("members", __name__, url_prefix="/community/<slug>")

PAGE_SIZE = 50


@bp.after_request
def personal_pages_are_not_cached(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def event_date(event: Event, at=None) -> str:
    """The day of ``at`` (the event's start by default) on the venue's calendar."""
    local = (at or event.starts_at).astimezone(ZoneInfo(event.timezone))
    return format_date(local.date(), "medium")


class NotAMember(Exception):
    def __init__(self, community: Community | None):
        self.community = community


@bp.app_errorhandler(NotAMember)
def ask_to_sign_in(error: NotAMember):
    """Someone not signed in as a member sees no member, no event list, nothing but how to
    sign in (the same page whether the community exists or not)."""
    return render_template("members/signin.html", form=ResendForm()), 403


def community_by_slug(slug: str) -> Community | None:
    if "\x00" in slug or len(slug) > COMMUNITY_LIMITS["slug"]:
        return None
    return db.session.scalar(select(Community).filter_by(slug=slug))


def registrations_of(person: Person) -> list[Attendee]:
    """My registrations in the community, the latest event first."""
    return list(db.session.scalars(
        select(Attendee).join(Event, Event.id == Attendee.event_id)
        .where(Attendee.person_id == person.id)
        .options(joinedload(Attendee.event))
        .order_by(Event.starts_at.desc(), Event.id.desc())))


def require_member(slug: str) -> tuple[Community, Person, Attendee]:
    """The community, the member this phone is signed in as, and the registration its pages
    lead back to (the next or latest event). Anyone else: NotAMember."""
    community = community_by_slug(slug)
    person = signed_in_member(community) if community is not None else None
    if person is None:
        raise NotAMember(community)
    registrations = registrations_of(person)
    now = now_utc()
    upcoming = [a for a in registrations if a.event.ends_at >= now]
    return community, person, (upcoming[-1] if upcoming else registrations[0])


def member_page(template: str, community, person, me, **context):
    """A member's page, with the count of introductions waiting for them in the tabs."""
    return render_template(template, community=community, person=person, me=me,
                           event=me.event, waiting_introductions=count_waiting_for(person),
                           **context)


@bp.get("/events")
def my_events(slug: str):
    """My events in the community: upcoming first (soonest first), then past, each with
    the way to its card QR."""
    community, person, me = require_member(slug)
    now = now_utc()
    registrations = registrations_of(person)
    upcoming = [a for a in registrations if a.event.ends_at >= now][::-1]
    past = [a for a in registrations if a.event.ends_at < now]
    return member_page("members/events.html", community, person, me, upcoming=upcoming,
                       past=past)


def sort_arg() -> str:
    sort = request.args.get("sort", "last_met")
    return sort if sort in SORTS else "last_met"


@bp.get("/network")
def my_network(slug: str):
    """Everyone I met at the community's events, one entry each, searchable, by last met or
    by name, a page at a time."""
    community, person, me = require_member(slug)
    query = request.args.get("q", "").replace("\x00", "")[:100]
    sort = sort_arg()
    page = request.args.get("page", 1, type=database_id)
    contacts = network_of(person, query, sort)
    shown = contacts[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    preload_photos([c.person for c in shown])
    return member_page("members/network.html", community, person, me, contacts=shown,
                       total=len(contacts), query=query, sort=sort, page=page,
                       more=len(contacts) > page * PAGE_SIZE,
                       shared={c.person.id: shared_contact(c.person) for c in shown})


def introduced_line(introduced) -> str:
    """"Introduced by Ana, 26 Nov 2026" in the current language."""
    date = format_date(introduced.at, "medium")
    if introduced.by is None:
        return _("Introduced, %(date)s", date=date)
    return _("Introduced by %(name)s, %(date)s", name=introduced.by.display_name, date=date)


def meeting_lines(contact) -> list[str]:
    """Where and when we met (each time), who introduced us, then my notes: the vCard's
    note."""
    lines = [where_we_met(m.event, m.at) for m in contact.meetings]
    lines += [introduced_line(i) for i in contact.introductions]
    return lines + [m.note for m in contact.notes]


@bp.get("/network.vcf")
def network_vcf(slug: str):
    """My network in one .vcf: each person once, with every meeting and my notes."""
    community, person, _me = require_member(slug)
    text = serialize_vcards(vcard_for(c.person, note="\n".join(meeting_lines(c)))
                            for c in network_of(person))
    return Response(text.encode(), headers={
        "Content-Type": "text/vcard; charset=utf-8",
        "Content-Disposition": content_disposition(f"{community.slug}-network.vcf")})


def network_columns() -> list[str]:
    return [_("Name"), _("Headline"), _("Company"), _("Email"), _("Phone"), _("Links"),
            _("What they do"), _("Offers"), _("Needs"), _("My notes"), _("Where we met"),
            _("Last met")]


@bp.get("/network.csv")
def network_csv(slug: str):
    """My network as a spreadsheet (UTF-8 with a BOM, so Excel reads accents right)."""
    community, person, me = require_member(slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(network_columns())
    for contact in network_of(person):
        other, shared = contact.person, shared_contact(contact.person)
        last = contact.meetings[0] if contact.meetings else None
        zone = ZoneInfo((last.event if last else me.event).timezone)
        row = (other.display_name, other.headline, other.company, shared.get("email", ""),
               shared.get("phone", ""), " ".join(shared.get("links", [])), other.what_i_do,
               other.offer, other.need, "\n".join(m.note for m in contact.notes),
               "; ".join([where_we_met(m.event, m.at) for m in contact.meetings]
                         + [introduced_line(i) for i in contact.introductions]),
               contact.last_met.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
        writer.writerow([spreadsheet_cell(v) for v in row])
    return Response("\ufeff" + out.getvalue(), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": content_disposition(f"{community.slug}-network.csv")})


@bp.get("/directory")
def directory(slug: str):
    """The members who chose to be listed: their public card, never their contact details."""
    community, person, me = require_member(slug)
    query = request.args.get("q", "").replace("\x00", "")[:100]
    page = request.args.get("page", 1, type=database_id)
    cards, total = listed_members(person, query, limit=PAGE_SIZE,
                                  offset=(page - 1) * PAGE_SIZE)
    # Their faces (photo or initials); the text shown stays the public card's.
    faces = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_([c["id"] for c in cards])))} if cards else {}
    preload_photos(faces.values())
    return member_page("members/directory.html", community, person, me, cards=cards,
                       faces=faces, askable=askable_at(me, list(faces.values())),
                       total=total, query=query, page=page,
                       more=total > page * PAGE_SIZE)
