"""Door and dashboard search: every word typed starts a word of the guest's name, email, company
or ticket code, and the search reads an index of those words, kept with every write."""

import pytest
from sqlalchemy import select

from checkin.accounts.models import Role
from checkin.door import queries
from checkin.extensions import db
from checkin.guestlists.services import apply_import
from checkin.people.guests import remove_attendee, update_attendee
from checkin.people.models import SearchTerm
from checkin.people.search import search_terms
from checkin.people.services import update_card
from tests.conftest import login
from tests.factories import make_attendee, make_event, make_staff
from tests.statements import statements_run


def names(event, query):
    return [row["n"] for row in queries.search(event, query)]


def test_each_word_starts_a_word_of_the_card_in_any_order(event):
    make_attendee(event, first_name="Ana", last_name="Pérez", email="ana.p@example.com",
                  ticket_code="TIX-77", company="Cuentas Claras")
    make_attendee(event, first_name="Juliana", last_name="Gómez", email="jg@other.org")
    assert names(event, "perez ANA") == ["Ana Pérez"]
    assert names(event, "ana") == ["Ana Pérez"]  # "Juliana" holds "ana", but not at a start
    assert names(event, "claras") == ["Ana Pérez"]
    assert names(event, "example") == ["Ana Pérez"]  # an address by its domain
    assert names(event, "77") == ["Ana Pérez"]  # a ticket code by its number
    assert names(event, "gom jul") == ["Juliana Gómez"]
    assert names(event, "ana gomez") == []
    assert names(event, "-- %%") == []


def test_the_words_of_a_search_key():
    assert search_terms("ana perez ana.p@example.com tix-77") == {
        "ana", "perez", "ana.p@example.com", "p@example.com", "example.com", "com", "tix-77",
        "77"}


def test_a_guest_is_found_by_their_name_as_it_is_now(event):
    ana = make_attendee(event, first_name="Ana", last_name="Pérez")
    update_attendee(ana, first_name="Eva")
    assert names(event, "eva") == ["Eva Pérez"] and names(event, "ana") == []
    update_card(ana.person, display_name="Bel Pérez")  # their card: every registration
    assert names(event, "bel") == ["Bel Pérez"]
    remove_attendee(ana)
    assert names(event, "perez") == []
    assert db.session.scalar(select(SearchTerm).limit(1)) is None


def test_imported_guests_are_found_and_an_edited_file_moves_them(event):
    apply_import(event, b"name,email,company,ticket\nAna Lopez,ana@x.org,Acme,T-100\n"
                        b"Luis Gil,luis@x.org,,T-200\n")
    assert names(event, "acme") == ["Ana Lopez"] and names(event, "200") == ["Luis Gil"]
    apply_import(event, b"name,email,company,ticket\nAna Lopez,ana@new.org,Acme,T-100\n"
                        b"Luis Gil,luis@x.org,,T-200\n")
    assert names(event, "ana@new") == ["Ana Lopez"] and names(event, "ana@x") == []


def test_a_search_names_only_guests_of_its_own_event(event):
    make_attendee(event, first_name="Nuria", last_name="Núñez")
    other = make_event()
    make_attendee(other, first_name="Nuria", last_name="Nunez")
    assert names(event, "nunez nuria") == ["Nuria Núñez"]
    assert names(other, "nuria") == ["Nuria Nunez"]


def test_the_dashboard_counts_and_pages_what_the_door_finds(client, owner, event):
    for i in range(3):
        make_attendee(event, first_name=f"Gil{i}", last_name="Romero")
    make_attendee(event, first_name="Eva", last_name="Roma")
    login(client, owner)
    html = client.get(f"/console/events/{event.slug}/dashboard?q=romero").get_data(as_text=True)
    assert "3 attendees" in html and "Eva Roma" not in html
    html = client.get(f"/console/events/{event.slug}/dashboard?q=rom").get_data(as_text=True)
    assert "4 attendees" in html


def test_the_door_search_reads_the_index_not_the_guest_list(app, event):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan is read from SQLite")
    make_attendee(event, first_name="Ana", ticket_code="T-1")
    with statements_run() as seen:
        assert names(event, "ana t-1") == ["Ana Example"]
    statement, parameters = seen[-1], seen.parameters[-1]
    plan = " | ".join(row[-1] for row in db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, parameters))
    assert "ix_attendee_search_terms_event_id_term" in plan, plan
    assert "SCAN attendees" not in plan and "attendees USING INDEX" not in plan, plan


def test_door_staff_search_their_event_only(client, event):
    make_attendee(event, first_name="Ana")
    staff = make_staff(make_event(), Role.DOOR)
    login(client, staff)
    assert client.get(f"/console/events/{event.slug}/door/search?q=ana").status_code == 404


@pytest.mark.slow
def test_the_migration_indexes_the_guests_already_there(app):
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from checkin.columns import now_utc
    from tests.test_communities_migration import _insert

    downgrade(revision="0015")
    community = _insert("communities", slug="colmena", name="Colmena", default_language="es")
    event_id = _insert("events", community_id=community, slug="march", name="March",
                       starts_at=now_utc(), ends_at=now_utc(), timezone="UTC",
                       default_language="es", state="open")
    person = _insert("people", community_id=community, display_name="Ana Pérez",
                     email="ana@x.org")
    attendee = _insert("attendees", event_id=event_id, person_id=person, card_code="C1",
                       session_key="s1", source="import", search_key="ana perez ana@x.org c1")
    db.session.commit()
    upgrade()
    terms = db.session.execute(sa.text(
        "SELECT attendee_id, event_id, term FROM attendee_search_terms")).all()
    assert sorted(t for _a, _e, t in terms) == ["ana", "ana@x.org", "c1", "org", "perez",
                                                 "x.org"]
    assert {(a, e) for a, e, _t in terms} == {(attendee, event_id)}
