"""PostgreSQL: a result's column descriptions are made when read, not as each statement
returns (checkin.postgres, issue 14), and they say what psycopg's own say."""

import psycopg
import pytest
from sqlalchemy import text

from checkin import postgres
from checkin.extensions import db
from tests.conftest import ON_POSTGRES
from tests.factories import make_attendee, make_connection, make_note
from tests.people_helpers import sign_in_as

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="psycopg's cursors")

TYPED = ("SELECT 1 AS whole, 'Ana'::text AS name, 2.50::numeric(10, 2) AS price, "
         "'x'::varchar(20) AS code, now() AS at, true AS yes, NULL::int AS nothing, "
         "ARRAY['a', 'b'] AS words, 3 AS whole")


@pytest.fixture
def cursor(app):
    connection = db.engine.raw_connection()
    cursor = connection.cursor()
    yield cursor
    cursor.close()
    connection.close()


@pytest.fixture
def columns_made(monkeypatch):
    """How many psycopg.Column objects were made while the test ran."""
    made = []
    make = psycopg.Column.__init__

    def counting(self, cursor, index):
        made.append(index)
        make(self, cursor, index)

    monkeypatch.setattr(psycopg.Column, "__init__", counting)
    return made


def _as_psycopg_says(cursor) -> list[tuple]:
    return [(*column, column.type_display) for column in
            psycopg.Cursor.description.fget(cursor)]


def test_the_app_s_cursors_describe_on_demand(cursor):
    assert isinstance(cursor, postgres.Cursor)


def test_a_description_says_what_psycopg_s_says(cursor):
    cursor.execute(TYPED)
    description = cursor.description
    assert len(description) == 9
    assert [(*column, column.type_display) for column in description] \
        == _as_psycopg_says(cursor)
    assert [column.name for column in description][-3:] == ["nothing", "words", "whole"]
    assert description[2].precision == 10 and description[2].scale == 2
    assert description[-1].type_code == description[0].type_code


def test_a_description_describes_its_own_result(cursor):
    cursor.execute("SELECT 1 AS first")
    earlier = cursor.description
    cursor.execute("SELECT 'x' AS second, 2 AS third")
    assert [column.name for column in earlier] == ["first"]
    assert [column.name for column in cursor.description] == ["second", "third"]


def test_a_statement_without_rows_has_no_description(cursor):
    cursor.execute("SET statement_timeout = 0")
    assert cursor.description is None
    cursor.execute("SELECT")  # rows of no columns: a description, empty
    assert cursor.description is not None and len(cursor.description) == 0
    assert list(cursor.description) == []


def test_sqlalchemy_reads_columns_by_name(app):
    row = db.session.execute(text("SELECT 1 AS one, 'dos' AS two")).mappings().one()
    assert row == {"one": 1, "two": "dos"}


def test_a_card_page_makes_no_column_description(client, event, columns_made):
    """Its one query's 34 columns were 34 psycopg.Column objects on every view."""
    ana = make_attendee(event, first_name="Ana", phone="+34 600 000 000", share_phone=True)
    luis = make_attendee(event, first_name="Luis")
    make_note(luis, make_connection(luis, ana), "Knows printers")
    sign_in_as(client, luis)
    client.get(f"/c/{ana.card_code}")  # SQLAlchemy learns the columns from the first run
    columns_made.clear()
    page = client.get(f"/c/{ana.card_code}")
    assert "+34 600 000 000" in page.text and "Knows printers" in page.text
    assert columns_made == []
