"""Importing writes all or nothing; the same file again changes nothing; edits update."""

from pathlib import Path

import pytest

from checkin.door.models import ScanResult
from checkin.door.services import check_in
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.guestlists.services import apply_import, plan_import
from checkin.people.models import Attendee, Person
from checkin.people.services import register_attendee
from tests.factories import make_event

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def count() -> int:
    return db.session.query(Attendee).count()


def test_preview_writes_nothing(event):
    plan = plan_import(event, fixture("eventbrite_classic.csv"))
    assert (len(plan.creates), len(plan.updates), len(plan.skips)) == (4, 0, 1)
    assert count() == 0


def test_import_then_the_same_file_again_changes_nothing(event):
    first = apply_import(event, fixture("eventbrite_classic.csv"))
    assert first["committed"] and first["create"] == 4 and count() == 4
    again = plan_import(event, fixture("eventbrite_classic.csv"))
    assert (len(again.creates), len(again.updates), len(again.unchanged)) == (0, 0, 4)
    apply_import(event, fixture("eventbrite_classic.csv"))
    assert count() == 4


def test_imported_rows_keep_source_and_ticket_code_which_opens_the_door(event):
    apply_import(event, fixture("luma.csv"))
    valentina = db.session.query(Attendee).filter_by(ticket_code="g-V4l3nt1na").one()
    assert (valentina.source, valentina.ticket_source) == ("import", "luma")
    assert valentina.person.phone == "+39 333 1234567"
    answer = check_in(event, "https://lu.ma/check-in/evt-AbC123?pk=g-V4l3nt1na")
    assert answer.result == ScanResult.OK and answer.attendee.id == valentina.id


def test_an_edited_file_updates_what_changed(event):
    apply_import(event, b"name,email,company,ticket\nAna Lopez,ana@x.org,Acme,T1\n"
                        b"Luis Gil,luis@x.org,,T2\n")
    luis = db.session.query(Attendee).filter_by(ticket_code="T2").one()
    luis.person.company = "Chose it myself"  # the guest filled in their card
    db.session.commit()
    edited = (b"name,email,company,ticket\nAna Lopez,ana@new.org,Acme,T1\n"
              b"Luis Gil,luis@x.org,Other,T2\n")
    plan = plan_import(event, edited)
    assert len(plan.updates) == 1 and plan.updates[0].changes == {
        "email": ("ana@x.org", "ana@new.org")}
    assert len(plan.unchanged) == 1  # a card detail the guest set is never overwritten
    apply_import(event, edited)
    ana = db.session.query(Attendee).filter_by(ticket_code="T1").one()
    assert ana.person.email == "ana@new.org" and "ana@new.org" in ana.search_key
    assert db.session.get(Attendee, luis.id).person.company == "Chose it myself"


def test_rows_without_ticket_code_match_by_name_and_email(event):
    data = b"name,email\nAna,ana@x.org\nAna,ANA@x.org\nOtra Persona,ana@x.org\n"
    result = apply_import(event, data)
    assert result["create"] == 2 and [s["line"] for s in result["skipped"]] == [3]
    assert len(plan_import(event, data).unchanged) == 2


def test_one_transaction_all_or_nothing(event, monkeypatch):
    from checkin.guestlists import services

    apply_import(event, b"name,email,ticket\nAna,ana@x.org,T1\n")

    def failing(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_apply_staged_updates", failing)
    with pytest.raises(RuntimeError):
        apply_import(event, fixture("eventbrite_classic.csv"))
    assert count() == 1 and db.session.query(Person).count() == 1


def test_an_import_stopped_half_way_shows_nothing_and_the_next_step_finishes_it(event,
                                                                              monkeypatch):
    from checkin.guestlists import services

    monkeypatch.setattr(services, "STAGE_BATCH", 2)
    real, calls = services.stage_rows, {"n": 0}

    def dies_on_the_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "stage_rows", dies_on_the_second_batch)
    upload = services.keep_upload(event, fixture("eventbrite_classic.csv"))
    assert services.confirm_upload(upload) and not services.confirm_upload(upload)
    with pytest.raises(RuntimeError):
        services.continue_import(upload)
    assert count() == 0 and upload.staged == 2  # staged, but nobody sees it yet
    result = services.continue_import(upload)
    assert result["committed"] and result["create"] == 4 and count() == 4
    assert upload.state == "done" and upload.result["create"] == 4
    assert services.continue_import(upload) is None and count() == 4


def test_imported_people_have_full_rows(event):
    apply_import(event, fixture("plain_en.csv"))
    mary = db.session.query(Attendee).join(Person).filter(Person.email == "mary@example.org").one()
    assert mary.person.links == [] and mary.person.share_email is True
    assert mary.person.created_at is not None and mary.created_at is not None
    assert "acme" in mary.search_key and mary.card_code in mary.search_key.upper()
    assert (mary.source, mary.ticket_type, mary.person.headline) == ("import", "Speaker", "CTO")


def test_closed_event_refuses_an_import(owner):
    closed = make_event(owner, state="closed")
    with pytest.raises(DomainError) as refused:
        apply_import(closed, fixture("plain_en.csv"))
    assert refused.value.code == "event_closed"
    assert count() == 0


def test_bad_file_writes_nothing(event):
    for name in ("unknown.csv", "binary.xlsx", "empty.csv", "plain_no_name.csv"):
        with pytest.raises(DomainError):
            apply_import(event, fixture(name))
    assert count() == 0


def test_imports_into_two_events_stay_apart(event, owner):
    other = make_event(owner)
    apply_import(event, fixture("pretix.csv"))
    apply_import(other, fixture("pretix.csv"))
    assert count() == 4
    assert len(plan_import(other, fixture("pretix.csv")).unchanged) == 2


def test_the_swap_copies_every_column_whose_default_differs_row_by_row():
    """The swap's INSERT … SELECT evaluates a Python default once per statement: a column
    whose default must differ between rows (a secret, a code) has to be staged and copied."""
    from checkin.guestlists.services import ATTENDEE_COPY, PERSON_COPY

    same_for_a_whole_import = {"created_at", "updated_at"}
    for model, copied in ((Person, PERSON_COPY), (Attendee, ATTENDEE_COPY)):
        for column in model.__table__.columns:
            default = column.default
            if default is not None and default.is_callable and not column.primary_key:
                assert column.name in copied or column.name in same_for_a_whole_import, (
                    f"{model.__tablename__}.{column.name}: stage it and add it to the copy")


def test_every_imported_guest_gets_a_session_key_of_their_own(event):
    """Imported guests never share the secret their phones' sessions are bound to."""
    apply_import(event, fixture("eventbrite_classic.csv"))
    keys = [a.session_key for a in Attendee.query.filter_by(event_id=event.id)]
    assert len(keys) == 4 and len(set(keys)) == 4


def test_a_guest_who_walks_in_at_another_event_during_the_import_stays_one_member(
        event, owner, monkeypatch):
    from checkin.guestlists import services

    breakfast = make_event(owner, name="Breakfast")
    assert breakfast.community_id == event.community_id
    real = services.stage_rows

    def walks_in_meanwhile(*args, **kwargs):  # after the plan, before the swap
        register_attendee(breakfast, first_name="Zoe", last_name="Walker",
                          email="zoe@example.com")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "stage_rows", walks_in_meanwhile)
    apply_import(event, b"name,email\nZoe Walker,zoe@example.com\nLuis Pardo,luis@example.com\n")
    zoe = db.session.query(Person).filter_by(email="zoe@example.com").all()
    assert len(zoe) == 1
    assert {a.event_id for a in db.session.query(Attendee).filter_by(person_id=zoe[0].id)} \
        == {event.id, breakfast.id}
    assert db.session.query(Person).filter_by(email="luis@example.com").count() == 1
