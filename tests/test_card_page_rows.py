"""The card page reads its one query as plain rows (issue 14): no ORM object is built for the
card, its person, photo, event, viewer or connection, and the rows say what the models say."""

import pytest
from sqlalchemy import event as sa_event

from checkin.connections.services import card_as_seen, card_page_as_seen
from checkin.extensions import db
from checkin.faces.images import process_photo
from checkin.people.services import update_card
from tests.factories import make_attendee, make_connection, make_note
from tests.people_helpers import sign_in_as
from tests.photos import phone_jpeg


@pytest.fixture
def loaded(app):
    """The ORM objects loaded from the database while the test runs, by class name."""
    seen = []

    def count(target, _context):
        seen.append(type(target).__name__)

    sa_event.listen(db.Model, "load", count, propagate=True)
    yield seen
    sa_event.remove(db.Model, "load", count)


@pytest.mark.parametrize("viewer", ["connected", "not connected", "own card"])
def test_a_card_page_builds_no_orm_object(client, event, loaded, viewer):
    ana = make_attendee(event, first_name="Ana", phone="+34 600 000 000", share_phone=True)
    luis = make_attendee(event, first_name="Luis")
    if viewer == "connected":
        make_note(luis, make_connection(luis, ana), "Knows printers")
    sign_in_as(client, ana if viewer == "own card" else luis)
    loaded.clear()
    page = client.get(f"/c/{ana.card_code}")
    assert page.status_code == 200 and "Ana" in page.text
    assert loaded == []


def test_the_rows_say_what_the_models_say(event):
    ana = make_attendee(event, first_name="Ana", headline="Diseñadora", offer="Logotipos",
                        phone="+34 600 000 000", share_phone=True, links=["https://ana.example"])
    update_card(ana.person, photo=process_photo(phone_jpeg()), language="es")
    luis, pedro = make_attendee(event), make_attendee(event)
    make_note(luis, make_connection(luis, ana), "Knows printers")
    ids = [luis.id, pedro.id, ana.id]
    models, rows = card_as_seen(ana.card_code, ids), card_page_as_seen(ana.card_code, ids)
    card, row = models.card, rows.card
    for name in ("id", "event_id", "person_id", "card_code", "session_key"):
        assert getattr(row, name) == getattr(card, name), name
    for name in ("id", "display_name", "headline", "company", "what_i_do", "offer", "need",
                 "pitch", "email", "phone", "links", "share_email", "share_phone",
                 "share_links", "accepts_requests", "language"):
        assert getattr(row.person, name) == getattr(card.person, name), name
    assert row.person.photo.key == card.person.photo.key
    for name in ("id", "community_id", "slug", "name", "state", "walk_ins_allowed", "is_closed"):
        assert getattr(row.event, name) == getattr(card.event, name), name
    assert rows.viewers.keys() == models.viewers.keys() == set(ids)
    for viewer_id, (viewer, connection, note) in models.viewers.items():
        seen, seen_connection, seen_note = rows.viewers[viewer_id]
        assert (seen.id, seen.event_id, seen.session_key, seen.person.language) == \
            (viewer.id, viewer.event_id, viewer.session_key, viewer.person.language)
        assert seen_note == note
        assert (seen_connection and (seen_connection.id, seen_connection.low_id,
                                     seen_connection.high_id)) == \
            (connection and (connection.id, connection.low_id, connection.high_id))


def test_an_unknown_code_reads_no_row(event):
    assert card_page_as_seen("NOSUCHCODE", []) is None


def test_connecting_again_builds_no_orm_object(client, event, loaded):
    ana, luis = make_attendee(event, first_name="Ana"), make_attendee(event)
    make_connection(luis, ana)
    sign_in_as(client, luis)
    loaded.clear()
    assert client.post(f"/c/{ana.card_code}/connect").status_code == 303
    assert loaded == []


def test_a_new_connection_is_recorded_from_the_models(client, event):
    ana, luis = make_attendee(event, first_name="Ana", last_name="García"), make_attendee(event)
    sign_in_as(client, luis)
    response = client.post(f"/c/{ana.card_code}/connect")
    assert response.status_code == 303
    assert "You and Ana García are connected." in client.get(f"/c/{ana.card_code}").text
    assert card_as_seen(ana.card_code, [luis.id]).viewers[luis.id][1] is not None
