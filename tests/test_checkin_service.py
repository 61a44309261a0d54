"""The check-in service: the one function the API, the door page and the CLI call."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from checkin.columns import now_utc
from checkin.door.models import CheckIn, ScanResult
from checkin.door.services import check_in, undo_check_in
from checkin.errors import DomainError
from checkin.events.models import Event
from checkin.extensions import db
from tests.factories import make_attendee, make_event

OK, DUPLICATE = ScanResult.OK, ScanResult.DUPLICATE
ALREADY_CHECKED_IN, NOT_CHECKED_IN = ScanResult.ALREADY_CHECKED_IN, ScanResult.NOT_CHECKED_IN
UNKNOWN_CODE, WRONG_EVENT = ScanResult.UNKNOWN_CODE, ScanResult.WRONG_EVENT


def log_count(**filters) -> int:
    return db.session.query(CheckIn).filter_by(**filters).count()


def test_entry_by_card_code_checks_in_and_logs_the_scan(event, owner):
    ana = make_attendee(event, first_name="Ana")
    at = now_utc() - timedelta(seconds=30)
    answer = check_in(event, ana.card_code, nonce="n-1", scanned_at=at, gate="Door 1",
                      device="phone-7", organizer=owner)
    assert answer.result == OK and answer.ok and not answer.replayed
    assert answer.attendee.id == ana.id
    db.session.refresh(ana)
    assert ana.inside and ana.checked_in_at == at and ana.checked_in_gate == "Door 1"
    log = answer.checkin
    assert (log.kind, log.gate, log.device, log.organizer_id) == ("entry", "Door 1", "phone-7",
                                                                  owner.id)
    assert log.scanned_at == at and log.received_at >= at


def test_card_url_in_any_case_finds_the_attendee(event):
    ana = make_attendee(event)
    url = f"HTTP://LOCALHOST/C/{ana.card_code}"
    assert check_in(event, url).result == OK
    luis = make_attendee(event)
    assert check_in(event, f"https://checkin.example/c/{luis.card_code.lower()}").result == OK


def test_typed_card_code_with_look_alike_letters(event):
    ana = make_attendee(event)
    typed = ana.card_code.replace("0", "o").replace("1", "l").lower()
    assert check_in(event, f" {typed} ").result == OK


def test_imported_ticket_code_opens_the_door(event):
    ana = make_attendee(event, ticket_code="1234567890123", ticket_source="eventbrite")
    answer = check_in(event, "1234567890123")
    assert answer.result == OK and answer.attendee.id == ana.id


def test_a_typed_ticket_code_matches_regardless_of_case(event, owner):
    ana = make_attendee(event, ticket_code="DEMO-1038")
    answer = check_in(event, "demo-1038")
    assert answer.result == OK and answer.attendee.id == ana.id
    assert check_in(event, "Demo-1038").result == ALREADY_CHECKED_IN


def test_ticket_codes_differing_only_by_case_are_not_guessed(event):
    make_attendee(event, ticket_code="aB3x")
    make_attendee(event, ticket_code="Ab3X")
    assert check_in(event, "ab3x").result == UNKNOWN_CODE  # which one? checked by hand
    assert check_in(event, "aB3x").result == OK  # the exact code still opens


def test_luma_checkin_url_resolves_by_its_pk(event):
    ana = make_attendee(event, ticket_code="g-abc123XYZ", ticket_source="luma")
    answer = check_in(event, "https://lu.ma/check-in/evt-123?pk=g-abc123XYZ")
    assert answer.result == OK and answer.attendee.id == ana.id


def test_second_scan_says_when_and_which_gate(event):
    ana = make_attendee(event)
    first_at = now_utc() - timedelta(minutes=3)
    check_in(event, ana.card_code, scanned_at=first_at, gate="Door 2")
    answer = check_in(event, ana.card_code, gate="Door 1")
    assert answer.result == ALREADY_CHECKED_IN
    assert answer.previous.scanned_at == first_at and answer.previous.gate == "Door 2"
    assert log_count(attendee_id=ana.id) == 2  # the refused scan is logged too
    assert log_count(attendee_id=ana.id, result=OK) == 1


def test_repeated_nonce_returns_the_original_answer_and_records_nothing(event):
    ana = make_attendee(event)
    first = check_in(event, ana.card_code, nonce="same-nonce", gate="Door 1")
    again = check_in(event, ana.card_code, nonce="same-nonce", gate="Door 1")
    assert first.result == OK and again.result == OK and again.replayed
    assert again.checkin.id == first.checkin.id
    assert log_count() == 1


def test_repeated_nonce_of_a_refusal_stays_a_refusal(event):
    ana = make_attendee(event)
    check_in(event, ana.card_code)
    refused = check_in(event, ana.card_code, nonce="second")
    replayed = check_in(event, ana.card_code, nonce="second")
    assert refused.result == replayed.result == ALREADY_CHECKED_IN
    assert replayed.replayed and replayed.previous is not None
    assert log_count() == 2


def test_unknown_code_is_logged_without_an_attendee(event):
    answer = check_in(event, "NOT-A-TICKET")
    assert answer.result == UNKNOWN_CODE and answer.attendee is None
    assert answer.checkin.attendee_id is None and answer.checkin.code == "NOT-A-TICKET"


def test_another_events_code_is_wrong_event(event, owner):
    other = make_event(owner)
    stranger = make_attendee(other)
    answer = check_in(event, stranger.card_code)
    assert answer.result == WRONG_EVENT and answer.attendee is None
    db.session.refresh(stranger)
    assert not stranger.inside and stranger.checked_in_at is None


def test_same_ticket_code_in_two_events_resolves_to_this_events_attendee(event, owner):
    other = make_event(owner)
    make_attendee(other, ticket_code="T-1")
    mine = make_attendee(event, ticket_code="T-1")
    assert check_in(event, "T-1").attendee.id == mine.id


def test_the_same_device_scanning_one_person_again_within_seconds_logs_nothing(event):
    """A code left in front of the camera: the earlier answer, no new row."""
    ana, bruno = make_attendee(event), make_attendee(event)
    at = now_utc() - timedelta(seconds=30)
    first = check_in(event, ana.card_code, nonce="n1", scanned_at=at, device="phone-1")
    again = check_in(event, ana.card_code, nonce="n2", scanned_at=at + timedelta(seconds=4),
                     device="phone-1")
    assert first.result == again.result == OK and again.replayed
    assert again.checkin.id == first.checkin.id and again.nonce == "n2"
    assert check_in(event, bruno.card_code, scanned_at=at + timedelta(seconds=5),
                    device="phone-1").result == OK  # another person: read at once
    other_door = check_in(event, ana.card_code, scanned_at=at + timedelta(seconds=5),
                          device="phone-2")
    assert other_door.result == ALREADY_CHECKED_IN and not other_door.replayed
    later = check_in(event, ana.card_code, scanned_at=at + timedelta(seconds=11),
                     device="phone-1")
    assert later.result == ALREADY_CHECKED_IN and not later.replayed
    assert log_count(attendee_id=ana.id) == 3


def test_a_repeat_after_an_undo_is_a_new_scan(event):
    ana = make_attendee(event)
    first = check_in(event, ana.card_code, device="phone-1")
    undo_check_in(event, first.checkin.id)
    again = check_in(event, ana.card_code, device="phone-1")
    assert again.result == OK and not again.replayed and again.checkin.id != first.checkin.id


def test_exit_then_entry_again(event):
    ana = make_attendee(event)
    assert check_in(event, ana.card_code, kind="exit").result == NOT_CHECKED_IN
    first_at = now_utc() - timedelta(minutes=10)
    assert check_in(event, ana.card_code, scanned_at=first_at).result == OK
    assert check_in(event, ana.card_code, kind="exit").result == OK
    db.session.refresh(ana)
    assert not ana.inside and ana.checked_in_at == first_at  # first arrival is kept
    assert check_in(event, ana.card_code).result == OK
    db.session.refresh(ana)
    assert ana.inside


def test_online_an_earlier_scan_arriving_second_is_not_a_second_ok(event):
    """Two doors scan one code; the scan made first reaches the server second."""
    ana = make_attendee(event)
    late = now_utc() - timedelta(seconds=1)
    early = late - timedelta(seconds=2)
    assert check_in(event, ana.card_code, scanned_at=late, gate="Door 1").result == OK
    second = check_in(event, ana.card_code, scanned_at=early, gate="Door 2")
    assert second.result == ALREADY_CHECKED_IN and second.previous.gate == "Door 1"
    assert log_count(attendee_id=ana.id, result=OK) == 1


def test_queued_offline_scan_made_earlier_takes_the_check_ins_place(event):
    ana = make_attendee(event)
    late = now_utc() - timedelta(minutes=1)
    early = late - timedelta(minutes=4)
    check_in(event, ana.card_code, scanned_at=late, gate="Door 1")
    uploaded = check_in(event, ana.card_code, scanned_at=early, gate="Door 2", queued=True)
    assert uploaded.result == OK
    db.session.refresh(ana)
    assert ana.checked_in_at == early and ana.checked_in_gate == "Door 2"
    assert log_count(attendee_id=ana.id, result=OK) == 1
    assert log_count(attendee_id=ana.id, result=DUPLICATE) == 1
    repeat = check_in(event, ana.card_code, scanned_at=late, queued=True)
    assert repeat.result == DUPLICATE


@pytest.mark.parametrize("kwargs, code", [
    ({"kind": "sideways"}, "bad_kind"),
    ({"nonce": "x" * 65}, "bad_nonce"),
    ({"scanned_at": now_utc().replace(tzinfo=None)}, "bad_time"),
    ({"scanned_at": now_utc() + timedelta(hours=1)}, "bad_time"),
])
def test_bad_input_is_refused_with_a_code(event, kwargs, code):
    ana = make_attendee(event)
    with pytest.raises(DomainError) as refused:
        check_in(event, ana.card_code, **kwargs)
    assert refused.value.code == code
    assert log_count() == 0


def test_empty_code_is_refused(event):
    with pytest.raises(DomainError) as refused:
        check_in(event, "   ")
    assert refused.value.code == "missing_code"


def test_undo_within_fifteen_minutes(event):
    ana = make_attendee(event)
    answer = check_in(event, ana.card_code)
    undo_check_in(event, answer.checkin.id)
    db.session.refresh(ana)
    assert not ana.inside and ana.checked_in_at is None
    assert check_in(event, ana.card_code).result == OK


def test_undo_refusals(event, owner):
    ana = make_attendee(event)
    answer = check_in(event, ana.card_code)
    other = make_event(owner)
    with pytest.raises(DomainError) as refused:
        undo_check_in(other, answer.checkin.id)
    assert refused.value.code == "not_found"
    answer.checkin.received_at = now_utc() - timedelta(minutes=16)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        undo_check_in(event, answer.checkin.id)
    assert refused.value.code == "too_late"
    repeat = check_in(event, ana.card_code)
    with pytest.raises(DomainError) as refused:
        undo_check_in(event, repeat.checkin.id)
    assert refused.value.code == "not_undoable"


def test_an_exit_can_be_undone_and_the_door_says_when_they_left(event):
    from checkin.door.queries import door_guest

    ana = make_attendee(event)
    check_in(event, ana.card_code, scanned_at=now_utc() - timedelta(minutes=30))
    left_at = now_utc() - timedelta(minutes=5)
    out = check_in(event, ana.card_code, kind="exit", scanned_at=left_at)
    guest = door_guest(event, ana.id)
    assert not guest["in"] and guest["out"] == left_at.isoformat()
    undo_check_in(event, out.checkin.id)
    db.session.refresh(ana)
    assert ana.inside
    assert door_guest(event, ana.id)["in"] and door_guest(event, ana.id)["out"] is None
    with pytest.raises(DomainError) as refused:
        undo_check_in(event, out.checkin.id)
    assert refused.value.code == "not_undoable"
    refused_exit = check_in(event, make_attendee(event).card_code, kind="exit")
    with pytest.raises(DomainError) as refused:
        undo_check_in(event, refused_exit.checkin.id)  # never inside: nothing to take back
    assert refused.value.code == "not_undoable"


def test_a_scan_time_more_than_a_day_from_the_event_is_refused(event):
    ana = make_attendee(event)
    for at in (event.starts_at - timedelta(days=1, minutes=1),
               datetime(1970, 1, 1, tzinfo=UTC)):
        with pytest.raises(DomainError) as refused:
            check_in(event, ana.card_code, scanned_at=at)
        assert refused.value.code == "scan_outside_event"
    assert log_count() == 0
    assert check_in(event, ana.card_code,
                    scanned_at=event.starts_at - timedelta(hours=23)).result == OK


def test_nonces_are_per_event_and_a_reused_one_with_another_code_is_refused(event, owner):
    ana, luis = make_attendee(event), make_attendee(event)
    other = make_event(owner)
    eva = make_attendee(other)
    assert check_in(event, ana.card_code, nonce="n").result == OK
    with pytest.raises(DomainError) as refused:
        check_in(event, luis.card_code, nonce="n")
    assert refused.value.code == "nonce_reused" and refused.value.status == 409
    with pytest.raises(DomainError):
        check_in(event, ana.card_code, nonce="n", kind="exit")
    there = check_in(other, eva.card_code, nonce="n")
    assert there.result == OK and not there.replayed and there.attendee.id == eva.id
    db.session.refresh(luis)
    assert luis.checked_in_at is None and log_count() == 2


def _scan_in_threads(app, event_id, code, threads: int = 20, **kwargs) -> list[str]:
    """``code`` (or ``code(n)`` for thread n) scanned at once by ``threads`` doors."""
    barrier = threading.Barrier(threads)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def scan(n: int) -> None:
        try:
            with app.app_context():
                event = db.session.get(Event, event_id(n) if callable(event_id) else event_id)
                db.session.commit()  # hand the connection back: the pool holds fewer than 20
                barrier.wait(timeout=10)
                scanned = code(n) if callable(code) else code
                try:
                    result = check_in(event, scanned, gate=f"Door {n}", **kwargs).result
                except DomainError as refused:
                    result = refused.code
                    db.session.rollback()
                with lock:
                    results.append(result)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            with lock:
                errors.append(error)

    workers = [threading.Thread(target=scan, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    return results


def test_twenty_simultaneous_scans_of_one_code_let_one_in(app, event):
    ana = make_attendee(event)
    results = _scan_in_threads(app, event.id, ana.card_code)
    assert len(results) == 20
    assert results.count(OK) == 1, results
    assert set(results) <= {OK, ALREADY_CHECKED_IN}
    assert log_count(attendee_id=ana.id, result=OK) == 1
    db.session.refresh(ana)
    assert ana.inside


def test_twenty_simultaneous_copies_of_one_scan_record_it_once(app, event):
    ana = make_attendee(event)
    results = _scan_in_threads(app, event.id, ana.card_code, nonce="one-scan")
    assert results == [OK] * 20
    assert log_count() == 1
    db.session.refresh(ana)
    assert ana.inside


def test_one_nonce_sent_at_once_with_two_codes_records_one_scan(app, event):
    ana, luis = make_attendee(event), make_attendee(event)
    codes = [ana.card_code, luis.card_code]
    results = _scan_in_threads(app, event.id, lambda n: codes[n % 2], nonce="raced")
    assert log_count() == 1
    winner = db.session.query(CheckIn).one()
    won = 0 if winner.attendee_id == ana.id else 1
    assert sorted(results) == sorted([OK] * 10 + ["nonce_reused"] * 10), results
    db.session.expire_all()
    assert [db.session.get(type(a), a.id).inside for a in (ana, luis)] == [won == 0, won == 1]


def test_one_nonce_sent_at_once_at_two_events_checks_in_both(app, event, owner):
    other = make_event(owner)
    ana, eva = make_attendee(event), make_attendee(other)
    events, codes = [event.id, other.id], [ana.card_code, eva.card_code]
    results = _scan_in_threads(app, lambda n: events[n % 2], lambda n: codes[n % 2],
                               nonce="everywhere")
    assert results == [OK] * 20
    assert log_count() == 2 and log_count(event_id=event.id) == 1
    db.session.expire_all()
    assert db.session.get(type(ana), ana.id).inside and db.session.get(type(eva), eva.id).inside
