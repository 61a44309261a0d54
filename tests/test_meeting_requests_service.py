"""Requests to meet, rule by rule: double opt-in, never "declined", one ask per pair, caps."""

from datetime import timedelta

import pytest

from checkin.columns import now_utc
from checkin.connections.models import Connection, Via
from checkin.connections.services import connection_between, record_connection, remove_connection
from checkin.errors import DomainError
from checkin.events.services import close_event
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.meeting_requests import services
from checkin.meeting_requests.models import MeetingRequest, RequestState
from checkin.meeting_requests.services import (
    MAX_OPEN,
    MAX_PER_DAY,
    accept_request,
    as_seen_by_asker,
    ask_to_meet,
    count_for_summary,
    count_requests_to_me,
    decline_request,
    requests_i_made,
    requests_to_me,
)
from tests.factories import make_attendee, make_event


@pytest.fixture
def no_pace(monkeypatch):
    """The per-minute pace is tested on its own; the caps are what these tests count."""
    monkeypatch.setattr(services, "ASK_PACE", ())


def refused(code, call, *args, **kw):
    with pytest.raises(DomainError) as error:
        call(*args, **kw)
    assert error.value.code == code, error.value.code
    db.session.rollback()
    return error.value


def test_asking_makes_a_pending_request_and_emails_the_person_asked(event):
    luis, ana = make_attendee(event), make_attendee(event)
    asked = ask_to_meet(luis, ana, "  I'd like to talk\nabout packaging ")
    request = asked.request
    assert asked.connection is None
    assert (request.state, request.message) == ("pending", "I'd like to talk about packaging")
    assert request.expires_at - request.created_at == services.LIFETIME
    assert requests_to_me(ana) == [request] and count_requests_to_me(ana) == 1
    assert connection_between(luis, ana) is None  # nothing moves before Ana says yes
    email = db.session.query(OutboxMessage).filter_by(kind="meeting_request").one()
    assert email.to_address == ana.person.email
    assert luis.person.display_name in email.subject
    assert "packaging" in email.text_body
    assert luis.person.email not in email.text_body + email.html_body  # public card only


def test_accepting_connects_us_via_the_request_and_emails_the_asker(event):
    luis, ana = make_attendee(event), make_attendee(event)
    ana.person.phone, ana.person.share_phone = "+34 600 000 000", True
    db.session.commit()
    request = ask_to_meet(luis, ana).request
    connection = accept_request(ana, request.id)
    assert connection.via == Via.REQUEST and connection.scanned_by_id is None
    assert as_seen_by_asker(request) == "accepted"
    assert count_requests_to_me(ana) == 0
    email = db.session.query(OutboxMessage).filter_by(kind="meeting_accepted").one()
    assert email.to_address == luis.person.email
    assert "+34 600 000 000" in email.text_body and ana.person.email in email.text_body


def test_declined_reads_pending_to_the_asker_then_expired_and_cannot_be_asked_again(event):
    luis, ana = make_attendee(event), make_attendee(event)
    request = ask_to_meet(luis, ana).request
    decline_request(ana, request.id)
    assert request.state == RequestState.DECLINED
    assert [as_seen_by_asker(r) for r in requests_i_made(luis)] == ["pending"]
    assert requests_to_me(ana) == []
    later = now_utc() + services.LIFETIME + timedelta(minutes=1)
    assert as_seen_by_asker(request, later) == "expired"
    refused("already_asked", ask_to_meet, luis, ana)
    # No email ever tells Luis.
    assert db.session.query(OutboxMessage).filter_by(kind="meeting_accepted").count() == 0


def test_an_ignored_request_expires_and_cannot_be_accepted_or_asked_again(event):
    luis, ana = make_attendee(event), make_attendee(event)
    request = ask_to_meet(luis, ana).request
    request.expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    assert as_seen_by_asker(request) == "expired"
    assert requests_to_me(ana) == []
    refused("expired", accept_request, ana, request.id)
    refused("already_asked", ask_to_meet, luis, ana)
    # The next ask at the event marks it expired in the database too.
    ask_to_meet(luis, make_attendee(event))
    assert db.session.get(MeetingRequest, request.id).state == "expired"


def test_asking_someone_who_asked_me_accepts_theirs(event):
    luis, ana = make_attendee(event), make_attendee(event)
    theirs = ask_to_meet(ana, luis).request
    asked = ask_to_meet(luis, ana)
    assert asked.request.id == theirs.id and asked.connection is not None
    assert asked.connection.via == "request"
    assert db.session.query(MeetingRequest).count() == 1


def test_nobody_asks_themself_another_events_attendee_or_someone_they_are_connected_to(owner):
    event = make_event(owner)
    luis, ana = make_attendee(event), make_attendee(event)
    elsewhere = make_attendee(make_event(owner))
    refused("own_card", ask_to_meet, luis, luis)
    refused("wrong_event", ask_to_meet, luis, elsewhere)
    record_connection(luis, ana)
    refused("already_connected", ask_to_meet, luis, ana)
    assert db.session.query(MeetingRequest).count() == 0


def test_nothing_to_people_who_turned_requests_off_or_who_removed_me(event):
    luis, ana, pedro = make_attendee(event), make_attendee(event), make_attendee(event)
    ana.person.accepts_requests = False
    db.session.commit()
    off = refused("not_taking_requests", ask_to_meet, luis, ana)
    record_connection(luis, pedro)
    remove_connection(pedro, luis)  # Pedro does not recognise Luis
    removed = refused("not_taking_requests", ask_to_meet, luis, pedro)
    # Luis cannot tell "removed me" from "takes no requests".
    assert off.status == removed.status == 403
    assert db.session.query(MeetingRequest).count() == 0


def test_someone_who_removed_me_at_an_earlier_event_is_not_asked_at_the_next(owner):
    # A removal is the person's, across the community's events, as People to meet reads it.
    earlier, later = make_event(owner), make_event(owner)
    luis = make_attendee(earlier, email="luis@example.com")
    pedro = make_attendee(earlier, email="pedro@example.com")
    record_connection(luis, pedro)
    remove_connection(pedro, luis)
    luis_later = make_attendee(later, email="luis@example.com")
    pedro_later = make_attendee(later, email="pedro@example.com")
    refused("not_taking_requests", ask_to_meet, luis_later, pedro_later)
    refused("not_taking_requests", ask_to_meet, pedro_later, luis_later)
    assert db.session.query(MeetingRequest).count() == 0


def test_the_message_is_one_line_of_at_most_140_characters(event):
    luis, ana = make_attendee(event), make_attendee(event)
    error = refused("message_too_long", ask_to_meet, luis, ana, "x" * 141)
    assert error.field == "message"
    assert ask_to_meet(luis, ana, "x" * 140).request.message == "x" * 140


def test_open_requests_are_capped_and_a_decline_does_not_free_a_slot(event, no_pace):
    luis = make_attendee(event)
    others = [make_attendee(event) for _ in range(MAX_OPEN + 1)]
    made = [ask_to_meet(luis, other).request for other in others[:MAX_OPEN]]
    refused("too_many_open", ask_to_meet, luis, others[-1])
    decline_request(others[0], made[0].id)  # still open to Luis: no freed slot tells him
    refused("too_many_open", ask_to_meet, luis, others[-1])
    accept_request(others[1], made[1].id)  # an answer he sees frees one
    assert ask_to_meet(luis, others[-1]).request.state == "pending"


def test_at_most_ten_requests_in_24_hours_across_the_communitys_events(owner, no_pace):
    first, second = make_event(owner), make_event(owner)
    luis = make_attendee(first, email="luis@example.com")
    luis_there = make_attendee(second, email="luis@example.com")
    assert luis_there.person_id == luis.person_id
    made = 0
    for n in range(MAX_PER_DAY):
        at, asker = (first, luis) if n % 2 else (second, luis_there)
        request = ask_to_meet(asker, make_attendee(at)).request
        accept_request(request.target, request.id)  # answered: the open cap is not what stops
        made += 1
    error = refused("daily_limit", ask_to_meet, luis, make_attendee(first))
    assert error.status == 429 and made == MAX_PER_DAY


def test_asking_at_a_human_pace(event):
    luis = make_attendee(event)
    for _ in range(3):
        ask_to_meet(luis, make_attendee(event))
    refused("asking_too_fast", ask_to_meet, luis, make_attendee(event))


def test_asking_and_accepting_work_after_the_event_closed_until_a_month_after_its_end(owner):
    event = make_event(owner)
    luis, ana, pedro = make_attendee(event), make_attendee(event), make_attendee(event)
    close_event(event)
    request = ask_to_meet(luis, ana).request
    assert accept_request(ana, request.id).event_id == event.id
    event.ends_at = now_utc() - services.ASKING_AFTER_EVENT - timedelta(minutes=1)
    event.starts_at = event.ends_at - timedelta(hours=3)
    db.session.commit()
    refused("asking_closed", ask_to_meet, luis, pedro)


def test_only_the_person_asked_answers(event):
    luis, ana, pedro = make_attendee(event), make_attendee(event), make_attendee(event)
    request = ask_to_meet(luis, ana).request
    refused("not_found", accept_request, pedro, request.id)
    refused("not_found", accept_request, luis, request.id)  # nor the asker for them
    refused("not_found", decline_request, pedro, request.id)
    accept_request(ana, request.id)
    refused("already_accepted", accept_request, ana, request.id)
    refused("already_accepted", decline_request, ana, request.id)


def test_the_summary_counts_requests_and_acceptances_only(event):
    luis, ana, pedro = make_attendee(event), make_attendee(event), make_attendee(event)
    accept_request(ana, ask_to_meet(luis, ana).request.id)
    decline_request(luis, ask_to_meet(pedro, luis).request.id)
    ask_to_meet(pedro, ana)
    assert count_for_summary(event.id) == (3, 1)
    assert db.session.query(Connection).count() == 1
