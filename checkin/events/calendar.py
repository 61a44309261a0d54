"""The event as an iCalendar file (.ics), for a guest's calendar: pure, no I/O."""

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from checkin.events.models import Event


def event_calendar(event: Event, base_url: str, stamp: datetime) -> bytes:
    """``event`` as one VEVENT in its own time zone (with the VTIMEZONE that defines it), so a
    calendar shows it at the right hour wherever the guest is. ``stamp`` is DTSTAMP (now)."""
    zone = ZoneInfo(event.timezone)
    page = f"{base_url}/e/{event.slug}"
    entry = CalendarEvent()
    # One UID per event and site: a guest invited again gets the same entry, updated.
    entry.add("uid", f"{event.slug}@{urlsplit(base_url).hostname or 'checkin'}")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", event.name)
    if event.venue:
        entry.add("location", event.venue)
    entry.add("url", page)
    calendar = Calendar()
    calendar.add("prodid", "-//checkin//event//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(entry)
    # The zone's rules from a year before to a year after: enough, and a small file.
    local = event.starts_at.astimezone(zone).date()
    calendar.add_missing_timezones(first_date=local.replace(year=local.year - 1, day=1),
                                   last_date=local.replace(year=local.year + 1, day=1))
    return calendar.to_ical()
