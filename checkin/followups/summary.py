"""The organizer's summary of an event: attendance, arrivals, connections, how the room mixed."""

import statistics
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select, union_all

from checkin.accounts.models import Organizer
from checkin.charts import arrival_buckets, arrival_window, arrivals_svg
from checkin.connections.models import Connection
from checkin.connections.spreadsheet import connections_csv
from checkin.events.models import Event
from checkin.extensions import db
from checkin.followups.network import bridges, groups_of, network_svg
from checkin.followups.render import RenderedEmail, owners_of
from checkin.introductions.services import introduction_counts
from checkin.mail.models import OutboxMessage
from checkin.mail.services import attachment, enqueue
from checkin.meeting_requests.services import count_for_summary
from checkin.people.invitations import event_when
from checkin.people.models import Attendee, AttendeeSource, Person
from checkin.people.spreadsheet import attendees_csv

KIND_SUMMARY = "summary"
TOP = 5
MAX_DRAWN = 150  # people drawn in the network (the best connected)
MAX_CSV_CONNECTIONS = 50_000  # beyond this the connections CSV is downloaded, not attached


@dataclass
class EventSummary:
    registered: int = 0
    checked_in: int = 0
    no_shows: int = 0
    walk_ins: int = 0
    arrivals: list = field(default_factory=list)
    connections: int = 0
    # Requests to meet made and accepted: counts only, never who asked whom or what they said.
    requests: int = 0
    requests_accepted: int = 0
    median: float = 0
    top_connectors: list = field(default_factory=list)  # [(name, connections)]
    bridge_people: list = field(default_factory=list)  # [(name, other groups met)]
    by_ticket: list = field(default_factory=list)  # [(ticket type, registered, checked in)]
    names: dict = field(default_factory=dict)  # the drawn network: {attendee id: name}
    edges: list = field(default_factory=list)
    groups: dict = field(default_factory=dict)
    bridging: dict = field(default_factory=dict)
    group_count: int = 0
    labelled: dict = field(default_factory=dict)  # named in the drawing: {attendee id: name}
    # Counts only: who introduced whom is theirs, never the organizer's.
    introductions_made: int = 0
    introductions_completed: int = 0


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(Attendee).where(*where))


def _degrees(event_id: int) -> dict[int, int]:
    ends = union_all(
        select(Connection.low_id.label("a")).where(Connection.event_id == event_id),
        select(Connection.high_id.label("a")).where(Connection.event_id == event_id),
    ).subquery()
    return dict(db.session.execute(select(ends.c.a, func.count()).group_by(ends.c.a)).all())


def _names(ids) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Attendee.id, Person.display_name)
                              .join(Person, Person.id == Attendee.person_id)
                              .where(Attendee.id.in_(list(ids))))
    return dict(rows.all())


def event_summary(event: Event) -> EventSummary:
    """Everything the summary shows, in a bounded number of queries."""
    s = EventSummary()
    of_event = Attendee.event_id == event.id
    s.registered = _count(of_event)
    s.checked_in = _count(of_event, Attendee.checked_in_at.is_not(None))
    s.walk_ins = _count(of_event, Attendee.source == AttendeeSource.WALK_IN)
    s.no_shows = _count(of_event, Attendee.checked_in_at.is_(None),
                        Attendee.source != AttendeeSource.WALK_IN)
    times = db.session.scalars(select(Attendee.checked_in_at)
                               .where(of_event, Attendee.checked_in_at.is_not(None))).all()
    s.arrivals = arrival_buckets(times, within=arrival_window(event.starts_at, event.ends_at))
    s.introductions_made, s.introductions_completed = introduction_counts(event)
    s.connections = db.session.scalar(
        select(func.count()).select_from(Connection).where(Connection.event_id == event.id))
    s.requests, s.requests_accepted = count_for_summary(event.id)
    degrees = _degrees(event.id)
    present = set(db.session.scalars(
        select(Attendee.id).where(of_event, Attendee.checked_in_at.is_not(None)))) | set(degrees)
    s.median = statistics.median([degrees.get(a, 0) for a in present]) if present else 0
    ranked = sorted(degrees, key=lambda a: (-degrees[a], a))
    drawn = ranked[:MAX_DRAWN]
    s.names = _names(drawn)
    s.top_connectors = [(s.names[a], degrees[a]) for a in ranked[:TOP]]
    s.labelled = {a: s.names[a] for a in ranked[:TOP]}
    s.by_ticket = db.session.execute(
        select(Attendee.ticket_type, func.count(), func.count(Attendee.checked_in_at))
        .where(of_event).group_by(Attendee.ticket_type).order_by(func.count().desc())
    ).all()
    if drawn:
        s.edges = db.session.execute(
            select(Connection.low_id, Connection.high_id)
            .where(Connection.event_id == event.id, Connection.low_id.in_(drawn),
                   Connection.high_id.in_(drawn)).order_by(Connection.id)).all()
        s.edges = [tuple(e) for e in s.edges]
        s.groups = groups_of(drawn, s.edges)
        s.group_count = len(set(s.groups.values()))
        s.bridging = bridges(s.edges, s.groups)
        best = sorted(s.bridging, key=lambda a: (-s.bridging[a], -degrees[a], a))[:TOP]
        s.bridge_people = [(s.names[a], s.bridging[a]) for a in best]
        s.labelled.update({a: s.names[a] for a in best})
    return s


def arrivals_chart(event: Event, summary: EventSummary) -> str:
    return arrivals_svg(summary.arrivals, tz=event.timezone,
                        title=_("Arrivals per 5 minutes"), empty_text=_("No arrivals recorded"))


def network_chart(summary: EventSummary) -> str:
    return network_svg(summary.names, summary.edges, summary.groups, summary.bridging,
                       title=_("Who met whom"), empty_text=_("No connections yet"),
                       labels=summary.labelled)


def number(value) -> str:
    """A figure as the reader's language writes it: "1,5" in Spanish, "1" for a median of 1.0."""
    return format_decimal(value, format="#,##0.#")


def render_summary(event: Event, organizer: Organizer) -> RenderedEmail:
    """The summary email for ``organizer``, in their language (the one they last used the
    console in; the event's when they never have), with the CSVs attached."""
    language = organizer.language or event.default_language or "en"
    base_url = current_app.config["CHECKIN_BASE_URL"]
    with force_locale(language):
        summary = event_summary(event)
        peak = max((c for _, c in summary.arrivals), default=0)
        zone = ZoneInfo(event.timezone)
        context = {
            "event": event, "s": summary, "when": event_when(event, language), "peak": peak,
            "arrival_rows": [(at.astimezone(zone).strftime("%H:%M"), c)
                             for at, c in summary.arrivals],
            "summary_url": f"{base_url}/console/events/{event.slug}/summary",
            "language": language, "number": number,
            "connections_attached": summary.connections <= MAX_CSV_CONNECTIONS,
        }
        subject = _("Summary of %(event)s", event=event.name)
        text = render_template("followups/mail/summary.txt", **context)
        html = render_template("followups/mail/summary.html", **context)
        charts = [attachment("arrivals.svg", "image/svg+xml",
                             arrivals_chart(event, summary).encode()),
                  attachment("network.svg", "image/svg+xml", network_chart(summary).encode())]
    # The very files the console exports.
    attachments = [*charts, attachment("attendees.csv", "text/csv",
                                       "".join(attendees_csv(event)).encode())]
    if context["connections_attached"]:
        attachments.append(attachment("connections.csv", "text/csv",
                                      "".join(connections_csv(event)).encode()))
    return RenderedEmail(subject=subject, text=text, html=html, language=language,
                         to_address=organizer.email, attachments=attachments,
                         headers={"Auto-Submitted": "auto-generated"})


def queue_summaries(event: Event) -> int:
    """Queue the summary for each owner who has none yet; the number queued."""
    added = 0
    for organizer in owners_of(event):
        recipient = f"organizer:{organizer.id}"
        exists = db.session.scalar(select(OutboxMessage.id).filter_by(
            kind=KIND_SUMMARY, event_id=event.id, recipient=recipient))
        if exists:
            continue
        email = render_summary(event, organizer)
        enqueue(kind=KIND_SUMMARY, event_id=event.id, recipient=recipient,
                to_address=email.to_address, subject=email.subject, text_body=email.text,
                html_body=email.html, attachments=email.attachments, headers=email.headers)
        added += 1
    return added
