"""The small vocabularies are named once: the API's document, the console and the database
take languages, attendee sources and field limits from the same place."""

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from checkin.events.models import EVENT_LIMITS
from checkin.extensions import db
from checkin.i18n import LANGUAGES
from checkin.people.models import LIMITS, Attendee, AttendeeSource, Person
from tests.factories import make_attendee
from tests.plugins.application import login

REGISTRATION = ("ticket_code", "ticket_type", "attention_note")


def test_the_api_documents_the_languages_sources_and_limits(client):
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    guest, event = schemas["AttendeeInput"]["properties"], schemas["EventInput"]["properties"]
    assert guest["language"]["enum"] == event["default_language"]["enum"] == list(LANGUAGES)
    assert {name: guest[name]["maxLength"] for name in REGISTRATION} == \
        {name: LIMITS[name] for name in REGISTRATION}
    assert {name: event[name]["maxLength"] for name in ("name", "venue", "slug")} == \
        {name: EVENT_LIMITS[name] for name in ("name", "venue", "slug")}
    listing = document["paths"]["/events/{slug}/attendees"]["get"]["parameters"]
    source = next(p for p in listing if p.get("name") == "source")
    assert source["schema"]["enum"] == list(AttendeeSource)


def test_the_console_filters_by_every_source(client, owner, event):
    make_attendee(event, source=AttendeeSource.DEMO, first_name="Demonstrated")
    make_attendee(event, source=AttendeeSource.MANUAL, first_name="Handwritten")
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/attendees?source=demo").text
    assert "Demonstrated" in page and "Handwritten" not in page


def test_the_database_takes_every_source_and_language_and_nothing_else(event):
    made = [make_attendee(event, source=source, language=LANGUAGES[n % len(LANGUAGES)])
            for n, source in enumerate(AttendeeSource)]
    assert sorted(a.source for a in made) == sorted(AttendeeSource)
    for column, value in (("source", "fax"), ("language", "fr")):
        with pytest.raises(IntegrityError):
            db.session.execute(update(Attendee if column == "source" else Person)
                               .values({column: value}))
        db.session.rollback()
