"""The migrated schema matches the models, and the database itself refuses duplicates."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from checkin.columns import now_utc
from checkin.connections.models import Connection
from checkin.door.models import CheckIn
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.people.models import Attendee
from tests.factories import make_attendee, make_checkin, make_connection, make_outbox


def test_migrations_build_exactly_the_models_schema(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_every_table_is_created(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def _refused(statement):
    with pytest.raises(IntegrityError):
        db.session.execute(statement)
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_duplicate_card_code(event):
    first = make_attendee(event)
    second = make_attendee(event)
    table = Attendee.__table__
    _refused(table.update().where(table.c.id == second.id).values(card_code=first.card_code))


def test_database_refuses_a_second_connection_for_a_pair_in_either_order(event):
    a, b = make_attendee(event), make_attendee(event)
    connection = make_connection(a, b)
    row = {"event_id": event.id, "scanned_by_id": a.id, "created_at": now_utc()}
    _refused(insert(Connection).values(low_id=connection.low_id, high_id=connection.high_id, **row))
    # Reversed, the CHECK (low < high) refuses it.
    _refused(insert(Connection).values(low_id=connection.high_id, high_id=connection.low_id, **row))


def test_database_refuses_a_repeated_checkin_nonce(event):
    attendee = make_attendee(event)
    log = make_checkin(attendee, nonce="n-1")
    _refused(insert(CheckIn).values(event_id=event.id, attendee_id=attendee.id, kind="entry",
                                    result="ok", scanned_at=now_utc(), received_at=now_utc(),
                                    nonce=log.nonce))


def test_database_refuses_a_second_outbox_message_of_one_kind_for_one_recipient(event):
    message = make_outbox(event, kind="followup", recipient="attendee:1")
    _refused(insert(OutboxMessage).values(
        kind="followup", event_id=event.id, recipient="attendee:1", to_address="x@example.com",
        subject="again", text_body="again", html_body="", attachments=[], headers={},
        message_id="<other@localhost>", status="pending", attempts=0, last_error="",
        created_at=now_utc(), updated_at=now_utc(), next_attempt_at=now_utc()))
    assert message.id


def test_database_refuses_an_attendee_of_a_missing_event(app):
    attendee = make_attendee()
    _refused(Attendee.__table__.update().where(Attendee.id == attendee.id).values(event_id=99999))


def test_a_qr_drawing_is_kept_once_per_payload(app):
    from checkin.qr.models import QrDrawing
    from tests.factories import make_qr_drawing

    first = make_qr_drawing()
    again = make_qr_drawing()
    assert first.id == again.id
    assert db.session.query(QrDrawing).count() == 1
    _refused(insert(QrDrawing).values(payload=first.payload, version=1, svg="", png=b"",
                                      created_at=now_utc()))


def test_database_refuses_a_reused_staff_invitation_token(event):
    from checkin.accounts.models import StaffInvitation
    from tests.factories import make_staff_invitation

    invitation, _secret = make_staff_invitation(event)
    _refused(insert(StaffInvitation).values(event_id=event.id, email="x@example.org", role="door",
                                            token_hash=invitation.token_hash,
                                            created_at=now_utc(), expires_at=now_utc()))


def test_the_session_key_migration_keeps_every_row_and_gives_each_a_key(event):
    """Re-creating SQLite tables (batch mode) must not cascade-delete rows that refer to them."""
    from flask_migrate import downgrade, upgrade

    from checkin.accounts.models import Organizer
    from checkin.connections.models import Note
    from tests.factories import make_note

    a, b = make_attendee(event), make_attendee(event)
    make_note(a, make_connection(a, b))
    make_checkin(a, nonce="kept")
    counts = {model: db.session.query(model).count()
              for model in (Attendee, Organizer, Connection, Note, CheckIn)}
    db.session.remove()
    downgrade(revision="0007")
    upgrade()
    assert {model: db.session.query(model).count() for model in counts} == counts
    keys = [row.session_key for row in db.session.query(Attendee)] + \
        [row.session_key for row in db.session.query(Organizer)]
    assert len(set(keys)) == len(keys) and all(len(key) == 32 for key in keys)
    int(keys[0], 16)


def test_people_who_show_they_signed_in_count_as_signed_in_after_0011(event):
    """Who wrote a note, scanned a card or wrote what they offer (only a guest's phone writes
    those) has signed in: after the upgrade their address is theirs."""
    from flask_migrate import downgrade, upgrade

    from checkin.people.models import Person
    from tests.factories import make_note

    author, scanned, bystander = make_attendee(event), make_attendee(event), make_attendee(event)
    offering = make_attendee(event)
    offering.person.offer = "Shoe suppliers"
    make_note(author, make_connection(author, scanned))
    ids = {"author": author.person_id, "scanned": scanned.person_id,
           "bystander": bystander.person_id, "offering": offering.person_id}
    db.session.commit()
    db.session.remove()
    downgrade(revision="0010")
    upgrade()
    marked = {name: db.session.get(Person, pid).first_signed_in_at is not None
              for name, pid in ids.items()}
    # make_connection records the first attendee as the one who scanned.
    assert marked == {"author": True, "scanned": False, "bystander": False, "offering": True}
