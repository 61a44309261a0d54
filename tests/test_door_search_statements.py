"""The door's search runs one statement, built once per number of words with the words bound
as values (building it cost more than running it), besides the one that reads the signed-in
organizer with the event and their role."""

import contextlib

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.scenarios_door import seed_crowd
from checkin.door.queries import search
from checkin.extensions import db
from tests.conftest import ON_POSTGRES, login
from tests.factories import make_attendee
from tests.statements import statements_run as statements


@contextlib.contextmanager
def executed():
    """The statement objects the ORM session executes inside the block."""
    seen = []

    def keep(state):
        seen.append(state.statement)

    sa_event.listen(Session, "do_orm_execute", keep)
    try:
        yield seen
    finally:
        sa_event.remove(Session, "do_orm_execute", keep)


def test_a_door_search_is_one_statement_whatever_the_words(client, owner, event):
    make_attendee(event, first_name="Ana", last_name="Pérez", ticket_code="TIX-77")
    make_attendee(event, first_name="Luis", last_name="Pardo")
    login(client, owner)
    url = f"/console/events/{event.slug}/door/search"
    client.get(url, query_string={"q": "an"})
    seen = {}
    for query in ("ana", "luis", "pérez ana", "pa lu", "tix 77"):
        with statements() as run, executed() as objects:
            found = client.get(url, query_string={"q": query}).json["attendees"]
        seen[query] = ([row["n"] for row in found], run, objects[-1])
    assert [names for names, _run, _statement in seen.values()] == [
        ["Ana Pérez"], ["Luis Pardo"], ["Ana Pérez"], ["Luis Pardo"], ["Ana Pérez"]]
    assert all(len(run) == 2 for _names, run, _statement in seen.values()), seen
    # One statement object for one word, one for two: the words typed are only its values.
    one_word = {id(s) for query, (_n, _run, s) in seen.items() if " " not in query}
    two_words = {id(s) for query, (_n, _run, s) in seen.items() if " " in query}
    assert len(one_word) == 1 and len(two_words) == 1 and one_word != two_words



@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's plans of a prepared statement")
def test_postgresql_plans_a_door_search_once_on_analysed_tables(event):
    """Once the tables are analysed (as a deployment's are), PostgreSQL keeps one plan for the
    prepared search. With the candidates as ``IN (…)`` the plan it would keep, made without the
    words, read every guest of the event, so it planned every search anew instead."""
    seed_crowd(event, people=4000, connections=1)
    db.session.execute(text("ANALYZE attendees, attendee_search_terms, people"))
    db.session.commit()
    for _ in range(14):  # psycopg prepares it after 5 runs, PostgreSQL weighs a kept plan after 5
        found = search(event, "person 0321")
    assert [row["n"] for row in found] == [f"Person 0321{i}" for i in range(10)]
    plans = db.session.execute(text(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
        "WHERE statement LIKE 'SELECT attendees.id, attendees.card_code%'")).all()
    assert len(plans) == 1 and plans[0].generic_plans >= 2, plans
