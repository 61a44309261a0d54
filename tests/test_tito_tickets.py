"""Tito's tickets carry two codes, the reference (QXLM-1) and a Unique Ticket URL: the import
keeps both and the door opens to either, online and offline (the URL kept hashed)."""

import json

import pytest

from checkin.accounts.models import Role
from checkin.door.codes import card_hash, door_key
from checkin.door.models import ScanResult
from checkin.door.services import check_in
from checkin.extensions import db
from checkin.guestlists.services import apply_import
from checkin.people.models import Attendee, Person
from tests.conftest import login
from tests.factories import make_event, make_staff
from tests.test_door_browser import expect_result, open_door, type_code
from tests.test_import_service import fixture

GRACE_URL = "https://ti.to/tickets/ti_p8XbKw2Q"


def grace(event):
    return db.session.scalars(db.select(Attendee).join(Person).where(
        Attendee.event_id == event.id, Person.display_name == "Grace Hopper")).one()


def test_the_import_keeps_titos_ticket_url_and_the_door_opens_to_either_code(event):
    apply_import(event, fixture("tito.csv"))
    assert grace(event).ticket_code == "ABCD-1"
    assert grace(event).ticket_url == "ti.to/tickets/ti_p8XbKw2Q"
    first = check_in(event, GRACE_URL)  # the URL as Tito's QR carries it
    assert first.result == ScanResult.OK and first.attendee.person.display_name == "Grace Hopper"
    for typed in ("ABCD-1", "abcd-1", "HTTPS://TI.TO/tickets/ti_p8XbKw2Q/",
                  "http://ti.to/tickets/ti_p8XbKw2Q?ref=mail"):
        again = check_in(event, typed)
        assert again.result == ScanResult.ALREADY_CHECKED_IN, typed
        assert again.attendee.id == first.attendee.id
    assert check_in(event, "https://ti.to/tickets/ti_someoneelse").result == \
        ScanResult.UNKNOWN_CODE
    other = make_event()
    assert check_in(other, GRACE_URL).attendee is None  # one event's ticket URL only


def test_a_new_export_with_a_changed_url_updates_it(event):
    apply_import(event, fixture("tito.csv"))
    changed = fixture("tito.csv").replace(b"ti_p8XbKw2Q", b"ti_NEW12345")
    apply_import(event, changed)
    assert grace(event).ticket_url == "ti.to/tickets/ti_NEW12345"
    assert check_in(event, "https://ti.to/tickets/ti_NEW12345").result == ScanResult.OK


def test_the_door_device_gets_the_url_hashed_never_in_clear(client, event):
    apply_import(event, fixture("tito.csv"))
    login(client, make_staff(event, Role.DOOR))
    roster = client.get(f"/console/events/{event.slug}/door/roster").get_json()
    assert "ti_p8XbKw2Q" not in json.dumps(roster)
    row = next(a for a in roster["attendees"] if a["n"] == "Grace Hopper")
    assert row["u"] == card_hash(door_key(event), "ti.to/tickets/ti_p8XbKw2Q")


@pytest.mark.browser
def test_offline_the_device_opens_to_the_ticket_url_too(browser, live_server, event):
    apply_import(event, fixture("tito.csv"))
    context, page = open_door(browser, live_server, make_staff(event, Role.DOOR), event, "Door 1")
    context.set_offline(True)
    before = type_code(page, GRACE_URL + "/")
    expect_result(page, "result-ok", "Checked in", before)
    assert page.locator("#result-name").text_content() == "Grace Hopper"
    before = type_code(page, "abcd-1")  # her reference: the same ticket, already in
    expect_result(page, "result-warn", "Already checked in", before)
    context.close()
