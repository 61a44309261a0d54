"""The event's suggestion index, kept current in each process instead of rebuilt per page.

Built once per process and event (everyone checked in, or everyone registered while nobody
is: the door is not used there), then caught up at a page view (at most once a second) with
two indexed reads of what changed since the last one: the entries the door recorded (by the
server's clock, so an offline door's late upload counts as new) and the cards edited. Each
read looks back ``OVERLAP`` more, so a transaction that committed just after the previous
read, or a server whose clock is a little behind, is not missed; what it reads twice is
skipped. A rebuild every ``REBUILD_AFTER`` is the safety net for anything changed another
way (an import that rewrites cards in bulk, an undone check-in). Nothing here decides who is
shown: the picks are read again from the database (checkin.meet.services), so a stale entry
costs a spare.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from checkin.columns import now_utc
from checkin.door.models import CheckIn, ScanKind, ScanResult
from checkin.events.models import Event
from checkin.extensions import db
from checkin.followups.suggestions import Candidate, SuggestionIndex, candidate_columns
from checkin.people.models import Attendee, Person

OVERLAP = timedelta(seconds=5)
CATCH_UP_EVERY = 1.0  # seconds: a busy process reads what changed once a second, not per view
REBUILD_AFTER = 600.0  # seconds
MAX_EVENTS = 8  # events kept per process (a community runs one or two at a time)


@dataclass
class LiveIndex:
    """One event's index in this process, and how far it has read."""

    event_id: int
    community_id: int
    # True: the door is used (someone checked in), so only people checked in are here.
    by_checkin: bool
    index: SuggestionIndex
    built_at: float
    read_until: datetime  # arrivals and card edits up to here are in
    caught_up_at: float = 0.0  # when (monotonic) it last read what changed
    last_attendee_id: int = 0  # registrations up to here are in (when nobody checked in)
    # The card each attendee was indexed with (their person's updated_at): a row read
    # twice is skipped. Kept for the unsuggestible too, who are not in the index.
    seen: dict[int, datetime] = field(default_factory=dict)
    # What each indexed attendee works in (checkin.meet.services.field_of), read once.
    fields: dict[int, frozenset[str]] = field(default_factory=dict)

    def take(self, rows) -> int:
        """Fold rows of (candidate columns…, suggestible, updated_at) in; how many changed."""
        changed = 0
        for row in rows:
            *columns, suggestible, updated_at = row
            attendee_id = columns[0]
            if self.seen.get(attendee_id) == updated_at:
                continue
            self.seen[attendee_id] = updated_at
            self.fields.pop(attendee_id, None)
            if suggestible:
                self.index.add(Candidate(*columns))
            else:
                self.index.discard(attendee_id)
            changed += 1
        return changed


def _columns():
    return (*candidate_columns(), Person.suggestible, Person.updated_at)


def _anyone_checked_in(event_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Attendee.event_id == event_id, Attendee.checked_in_at.is_not(None)))))


def build(event: Event) -> LiveIndex:
    """Read the whole event once: who is here and what their cards say."""
    started = now_utc()
    by_checkin = _anyone_checked_in(event.id)
    query = (select(*_columns()).join(Person, Person.id == Attendee.person_id)
             .where(Attendee.event_id == event.id).order_by(Attendee.id))
    if by_checkin:
        query = query.where(Attendee.checked_in_at.is_not(None))
    live = LiveIndex(event_id=event.id, community_id=event.community_id, by_checkin=by_checkin,
                     index=SuggestionIndex([]), built_at=time.monotonic(),
                     caught_up_at=time.monotonic(), read_until=started - OVERLAP)
    rows = db.session.execute(query).all()
    live.take(rows)
    live.last_attendee_id = max((row[0] for row in rows), default=0)
    return live


def catch_up(live: LiveIndex) -> LiveIndex:
    """Fold in what changed since the last read; a new build when the door just started
    being used (until then everyone registered counted)."""
    since, started = live.read_until, now_utc()
    arrivals = db.session.execute(
        select(*_columns())
        .select_from(CheckIn).join(Attendee, Attendee.id == CheckIn.attendee_id)
        .join(Person, Person.id == Attendee.person_id)
        .where(CheckIn.event_id == live.event_id, CheckIn.received_at >= since,
               CheckIn.kind == ScanKind.ENTRY.value, CheckIn.result == ScanResult.OK.value)
    ).all()
    if arrivals and not live.by_checkin:
        event = db.session.get(Event, live.event_id)
        return build(event)
    # The event's people whose card changed: found through (community, updated_at), then
    # matched to this event's registrations by (event, person).
    changed = select(Person.id).where(Person.community_id == live.community_id,
                                      Person.updated_at >= since)
    edits = db.session.execute(
        select(*_columns(), Attendee.checked_in_at).join(Person, Person.id == Attendee.person_id)
        .where(Attendee.event_id == live.event_id, Attendee.person_id.in_(changed))).all()
    live.take(arrivals)
    live.take(row[:-1] for row in edits if row[-1] is not None or not live.by_checkin)
    if not live.by_checkin:
        joined = db.session.execute(
            select(*_columns()).join(Person, Person.id == Attendee.person_id)
            .where(Attendee.event_id == live.event_id, Attendee.id > live.last_attendee_id)
            .order_by(Attendee.id)).all()
        live.take(joined)
        if joined:
            live.last_attendee_id = joined[-1][0]
    live.read_until = started - OVERLAP
    live.caught_up_at = time.monotonic()
    return live


_LOCK = threading.Lock()


@contextmanager
def reading(event: Event) -> Iterator[LiveIndex]:
    """``event``'s index as of now, from this process's copy (caught up, or built when this
    process has none, or an old one), held for the caller alone while it reads: a threaded
    server's other requests wait rather than change it underneath."""
    kept: OrderedDict[int, LiveIndex] = current_app.extensions.setdefault(
        "people_to_meet", OrderedDict())
    with _LOCK:
        live = kept.get(event.id)
        now = time.monotonic()
        if live is None or now - live.built_at > REBUILD_AFTER:
            live = build(event)
        elif now - live.caught_up_at >= CATCH_UP_EVERY:
            live = catch_up(live)
        kept[event.id] = live
        kept.move_to_end(event.id)
        while len(kept) > MAX_EVENTS:
            kept.popitem(last=False)
        yield live
