"""The one way two attendees become connected, however it came about (``connect_attendees``)."""

import pytest

from checkin.connections.models import Connection, ConnectionRemoval, Via
from checkin.connections.services import (
    connect_attendees,
    connection_between,
    record_connection,
    remove_connection,
)
from checkin.errors import DomainError
from checkin.events.services import close_event
from checkin.extensions import db
from checkin.people.models import Attendee
from tests.factories import make_attendee, make_event


def test_a_scan_records_who_scanned(event):
    ana, luis = make_attendee(event), make_attendee(event)
    connection, new = record_connection(luis, ana)
    assert new and connection.via == Via.SCAN and connection.scanned_by_id == luis.id


def test_a_connection_not_made_by_a_scan_says_how_and_that_nobody_scanned(event):
    ana, luis = make_attendee(event), make_attendee(event)
    connection, new = connect_attendees(ana, luis, Via.REQUEST)
    db.session.commit()
    stored = db.session.get(Connection, connection.id)
    assert new and stored.via == "request" and stored.scanned_by_id is None
    # Once connected, a scan or another way finds the same pair.
    assert record_connection(luis, ana) == (stored, False)
    assert connect_attendees(luis, ana, Via.INTRODUCTION) == (stored, False)


def test_connecting_otherwise_works_after_the_event_closed_a_scan_does_not(owner):
    event = make_event(owner)
    ana, luis, pedro = (make_attendee(event) for _ in range(3))
    close_event(event)
    with pytest.raises(DomainError) as refused:
        record_connection(luis, ana)
    assert refused.value.code == "event_closed"
    connection, new = connect_attendees(luis, pedro, Via.REQUEST)
    assert new and connection.event_id == event.id


def test_connecting_otherwise_refuses_oneself_and_another_events_attendee(owner):
    ana = make_attendee(make_event(owner))
    other = make_attendee(make_event(owner))
    for a, b, code in ((ana, ana, "own_card"), (ana, other, "wrong_event")):
        with pytest.raises(DomainError) as refused:
            connect_attendees(a, b, Via.REQUEST)
        assert refused.value.code == code
    assert db.session.query(Connection).count() == 0


def test_a_removal_stops_a_scan_but_not_a_connection_both_accepted(event):
    ana, luis = make_attendee(event), make_attendee(event)
    record_connection(luis, ana)
    remove_connection(ana, luis)  # Ana does not recognise Luis
    with pytest.raises(DomainError) as refused:
        record_connection(luis, ana)
    assert refused.value.code == "connection_removed"
    # Both accepted (a request, an introduction): the removal is a choice undone.
    _connection, new = connect_attendees(luis, ana, Via.REQUEST)
    db.session.commit()
    assert new
    assert db.session.query(ConnectionRemoval).count() == 0
    assert connection_between(db.session.get(Attendee, ana.id), luis) is not None


def test_downgrading_0016_keeps_a_connection_nobody_scanned(event):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    ana, luis = make_attendee(event), make_attendee(event)
    connection, _new = connect_attendees(ana, luis, Via.REQUEST)
    db.session.commit()
    low = connection.low_id
    db.session.remove()
    downgrade(revision="0020")  # 0016 came after 0020 (see its docstring)
    rows = db.session.execute(text("SELECT low_id, scanned_by_id FROM connections")).all()
    db.session.remove()
    upgrade()
    assert rows == [(low, low)]
    assert db.session.query(Connection).one().via == "scan"
