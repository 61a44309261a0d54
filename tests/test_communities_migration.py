"""Migration 0013 puts today's events into communities and merges each community's people
who share an email, keeping every registration, connection and note."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from checkin.columns import now_utc
from checkin.extensions import db


def _filled(table: sa.Table, values: dict) -> dict:
    """``values`` with every other NOT NULL column given a plain value of its type."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        kind = column.type
        if isinstance(kind, sa.Boolean):
            row[column.name] = False
        elif isinstance(kind, sa.DateTime):
            row[column.name] = now_utc()
        elif isinstance(kind, sa.Integer):
            row[column.name] = 0
        elif isinstance(kind, sa.JSON):
            row[column.name] = []
        else:
            row[column.name] = ""
    return row


def _insert(table_name: str, **values) -> int:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=db.session.connection())
    return db.session.execute(table.insert().values(**_filled(table, values))
                              .returning(table.c.id)).scalar_one()


@pytest.mark.slow
def test_existing_events_and_people_move_into_communities(app):
    downgrade(revision="0012")
    now = now_utc()
    mine = _insert("organizers", email="owner@example.org", name="Colmena", password_hash="x",
                   session_key="k1")
    theirs = _insert("organizers", email="other@example.org", name="", password_hash="x",
                     session_key="k2")
    events = {}
    for slug, owner in [("march", mine), ("april", mine), ("other", theirs), ("orphan", None)]:
        events[slug] = _insert("events", slug=slug, name=slug.title(), starts_at=now,
                               ends_at=now + timedelta(hours=2), timezone="UTC",
                               default_language="es", state="open")
        if owner is not None:
            _insert("event_roles", event_id=events[slug], organizer_id=owner, role="owner")

    def person(name, email, slug, **card):
        person_id = _insert("people", display_name=name, email=email, **card)
        attendee_id = _insert("attendees", event_id=events[slug], person_id=person_id,
                              card_code=f"C{person_id:09d}", session_key=f"s{person_id}",
                              source="import", search_key=name.lower())
        return person_id, attendee_id

    old_ana = person("Ana Gil", "ana@example.com", "march", headline="Bookkeeper",
                     updated_at=now - timedelta(days=9))
    new_ana = person("Ana Gil", "ana@example.com", "april", offer="Bookkeeping",
                     updated_at=now - timedelta(days=1))
    other_ana = person("Ana Gil", "ana@example.com", "other", offer="Not to be merged")
    buyer = person("Ana Buyer", "buyer@example.com", "march")
    friend = person("Luis Friend", "buyer@example.com", "march", pitch="Shoes")
    friend_again = person("Luis Friend", "buyer@example.com", "april")
    lonely = person("Orphan Event Guest", "ana@example.com", "orphan")
    connection = _insert("connections", event_id=events["march"], low_id=old_ana[1],
                         high_id=friend[1], scanned_by_id=old_ana[1])
    _insert("notes", connection_id=connection, author_id=old_ana[1], text="Knows suppliers")
    db.session.commit()

    upgrade()

    connection_ = db.session.connection()

    def pairs(sql: str) -> dict:
        return {row[0]: row[1] for row in connection_.execute(sa.text(sql))}

    communities = {row.id: row for row in connection_.execute(sa.text(
        "SELECT id, slug, name, default_language FROM communities"))}
    event_community = pairs("SELECT slug, community_id FROM events")
    assert event_community["march"] == event_community["april"]
    assert len({event_community[s] for s in ("march", "other", "orphan")}) == 3
    assert communities[event_community["march"]].name == "Colmena"
    assert communities[event_community["other"]].name == "other"  # the email's first part
    owners = connection_.execute(sa.text(
        "SELECT community_id, organizer_id FROM community_owners")).all()
    assert sorted(owners) == sorted([(event_community["march"], mine),
                                     (event_community["other"], theirs)])

    people = {row.id: row for row in connection_.execute(sa.text(
        "SELECT id, community_id, display_name, headline, offer, pitch, listed FROM people"))}
    person_of = pairs("SELECT id, person_id FROM attendees")
    # Ana's two registrations in one community: one card (the newer one, blanks filled).
    assert person_of[old_ana[1]] == person_of[new_ana[1]] == new_ana[0]
    merged = people[new_ana[0]]
    assert (merged.headline, merged.offer, merged.listed) == ("Bookkeeper", "Bookkeeping",
                                                              False)
    assert old_ana[0] not in people
    # Another community, and an ownerless event's own community: other people.
    assert person_of[other_ana[1]] == other_ana[0] and people[other_ana[0]].offer
    assert people[other_ana[0]].community_id == event_community["other"]
    assert person_of[lonely[1]] == lonely[0]
    # One address, two people at one event: merged only by name.
    assert person_of[buyer[1]] == buyer[0]
    assert person_of[friend[1]] == person_of[friend_again[1]] != buyer[0]
    assert people[person_of[friend[1]]].pitch == "Shoes"
    # The connection and the note still join the same registrations.
    assert connection_.execute(sa.text("SELECT count(*) FROM connections")).scalar() == 1
    assert connection_.execute(sa.text("SELECT text FROM notes")).scalar() == "Knows suppliers"
    search = pairs("SELECT id, search_key FROM attendees")
    assert "ana gil" in search[old_ana[1]]
