"""Text is stored clean whichever way it arrives (console, API, import, card, bulk insert): no
NUL (PostgreSQL refuses it), no ESC, no bidi override."""

import io
import re
import unicodedata

from sqlalchemy import insert, select

from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.text import clean_text
from tests.conftest import login
from tests.factories import make_api_token, make_attendee

# What an attack sent: a NUL, a terminal escape, and a right-to-left override ("gpj.exe").
NASTY = "Ana\x00 Gar\x1b[2Jcía \u202egpj.exe"
CLEAN = "Ana Gar[2Jcía gpj.exe"


def unclean(text: str | None) -> bool:
    return any(unicodedata.category(c) == "Cc" or c == "\u202e" for c in text or "")


def stored(model, **where):
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where)).one()


def test_the_rule():
    assert clean_text(NASTY, single_line=True) == CLEAN
    assert clean_text("first line\r\n\tsecond\x00") == "first line\nsecond"
    assert clean_text("Plain name") == "Plain name"


def test_console_attendee_form_stores_clean_text(client, owner, event):
    login(client, owner)
    added = client.post(f"/console/events/{event.slug}/attendees/new", data={
        "display_name": NASTY, "company": "Acme\x1b[0m", "ticket_type": "VIP\u202e",
        "attention_note": "Take to\x00 the stage"})
    assert added.status_code == 303
    attendee = db.session.scalars(select(Attendee)).one()
    assert attendee.person.display_name == CLEAN and attendee.person.company == "Acme[0m"
    assert attendee.ticket_type == "VIP" and attendee.attention_note == "Take to the stage"
    edited = client.post(f"/console/events/{event.slug}/attendees/{attendee.id}", data={
        "display_name": "Luis\x07", "company": "\u202eemcA", "ticket_type": "",
        "attention_note": ""})
    assert edited.status_code == 303
    person = stored(Person, id=attendee.person_id)
    assert (person.display_name, person.company) == ("Luis", "emcA")


def test_api_stores_clean_text(client, owner, event):
    token = make_api_token(owner)[1]
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(f"/api/v1/events/{event.slug}/attendees", headers=headers,
                          json={"display_name": "Ana Gar\x1b[2Jcía \u202egpj.exe",
                                "company": "Acme\u202d"})
    assert created.status_code == 201
    assert created.json["display_name"] == CLEAN
    person = stored(Person, email="")
    assert person.display_name == CLEAN and person.company == "Acme"
    api_event = client.post("/api/v1/events", headers=headers, json={
        "name": "Meetup\x1b[5m", "starts_at": "2030-01-01T19:00:00+01:00",
        "ends_at": "2030-01-01T22:00:00+01:00", "timezone": "Europe/Madrid"})
    assert api_event.status_code == 201
    assert stored(Event, slug=api_event.json["slug"]).name == "Meetup[5m"


def test_import_stores_clean_text(client, owner, event):
    login(client, owner)
    others = "".join(f"Guest {n},guest{n}@example.org,Shop {n}\n" for n in range(20))
    csv = f"name,email,company\nAna Gar\x1b[2Jcía \u202egpj.exe,ana@example.org,Acme\x1b\n{others}"
    preview = client.post(f"/console/events/{event.slug}/import",
                          data={"file": (io.BytesIO(csv.encode()), "guests.csv")},
                          content_type="multipart/form-data")
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', preview.text).group(1)
    client.post(f"/console/events/{event.slug}/import/confirm", data={"upload": token})
    person = stored(Person, email="ana@example.org")
    assert (person.display_name, person.company) == (CLEAN, "Acme")
    assert not unclean(stored(Attendee, person_id=person.id).search_key)


def test_no_write_path_can_skip_the_rule(event):
    """Even a bulk insert that bypasses every service stores clean text."""
    person_id = db.session.scalars(insert(Person).returning(Person.id), [
        {"display_name": NASTY, "pitch": "Line one\x00\nLine two\u202e",
         "community_id": event.community_id}]).one()
    attendee = make_attendee(event, first_name="Luis\x1b", last_name="\x00Pérez")
    db.session.commit()
    person = stored(Person, id=person_id)
    assert person.display_name == CLEAN and person.pitch == "Line one\nLine two"
    assert stored(Person, id=attendee.person_id).display_name == "Luis Pérez"
    found = db.session.scalars(select(Person).filter_by(display_name=NASTY)).all()
    assert [p.id for p in found] == [person_id]  # a lookup is cleaned the same way
