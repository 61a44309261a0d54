"""Every signed-in browser is bound to a session key, never to an id alone (issue 10, point 1)."""

import pytest
from sqlalchemy import text

from checkin.accounts.services import set_password, sign_out_everywhere
from checkin.extensions import db
from checkin.people.guests import remove_attendee
from checkin.people.sessions import SESSION_KEY
from tests.conftest import login
from tests.factories import PASSWORD, make_organizer
from tests.people_helpers import sign_in_as


def test_a_deleted_attendees_phone_never_opens_the_next_person(app, event, create_attendee):
    """A walk-in signed in on two phones deletes herself on one; the next person registered
    must not appear on the other."""
    create_attendee(event)
    lucia = create_attendee(event, first_name="Lucía", last_name="Pérez")
    other_phone = app.test_client()
    sign_in_as(other_phone, lucia)
    lucia_id = lucia.id
    remove_attendee(lucia)
    newcomer = create_attendee(event, first_name="Pablo", last_name="Nuevo")
    assert newcomer.id != lucia_id  # ids are never reused
    for path in ("me", "me/data.json", "me/qr"):
        response = other_phone.get(f"/e/{event.slug}/{path}")
        assert response.status_code == 303, path
        assert "Pablo" not in response.text


def test_a_cookie_naming_another_attendee_with_its_own_key_is_refused(app, event,
                                                                        create_attendee):
    """Even where an id is reused (or guessed), the key must match the attendee it names."""
    ana, luis = create_attendee(event), create_attendee(event)
    client = app.test_client()
    sign_in_as(client, ana)
    with client.session_transaction() as session:
        entry = session[SESSION_KEY][str(event.id)]
        session[SESSION_KEY] = {str(event.id): [luis.id, entry[1]]}
    assert client.get(f"/e/{event.slug}/me").status_code == 303
    for forged in ([luis.id], [str(luis.id), luis.session_key], [luis.id, None], "x"):
        with client.session_transaction() as session:
            session[SESSION_KEY] = {str(event.id): forged}
        assert client.get(f"/e/{event.slug}/me").status_code == 303
    with client.session_transaction() as session:
        session[SESSION_KEY] = {str(event.id): [luis.id, luis.session_key]}
    assert client.get(f"/e/{event.slug}/me").status_code == 200


def test_the_cookie_keeps_the_key_and_no_time(client, event, create_attendee):
    ana = create_attendee(event)
    sign_in_as(client, ana)
    with client.session_transaction() as session:
        assert session[SESSION_KEY] == {str(event.id): [ana.id, ana.session_key]}
    assert len(ana.session_key) == 32


def remembered_only(app, client):
    """A browser that kept only its "remember me" cookie (the session cookie expired)."""
    fresh = app.test_client()
    remember = client.get_cookie("remember_token")
    assert remember is not None
    fresh.set_cookie("remember_token", remember.value)
    return fresh


def test_a_password_change_ends_every_console_session_remembered_ones_too(app):
    organizer = make_organizer()
    laptop = app.test_client()
    login(laptop, organizer)
    phone = remembered_only(app, laptop)
    assert phone.get("/console/").status_code == 200  # remember me works
    set_password(organizer, "a brand new password")
    for browser in (laptop, phone):
        response = browser.get("/console/")
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    assert login(app.test_client(), organizer, "a brand new password").status_code == 303


def test_sign_out_everywhere_from_the_console(app):
    organizer = make_organizer()
    laptop, other = app.test_client(), app.test_client()
    login(laptop, organizer)
    login(other, organizer)
    remembered = remembered_only(app, other)
    page = laptop.get("/console/")
    assert "Sign out everywhere" in page.text
    response = laptop.post("/console/logout", data={"everywhere": "1"})
    assert response.status_code == 303
    for browser in (laptop, other, remembered):
        assert browser.get("/console/").status_code == 302


def test_a_deleted_organizers_session_never_opens_another_account(app):
    first = make_organizer()
    browser = app.test_client()
    login(browser, first)
    first_id = first.id
    db.session.delete(first)
    db.session.commit()
    second = make_organizer()
    assert second.id != first_id
    assert browser.get("/console/").status_code == 302


def test_cli_password_change_signs_the_organizer_out(app, runner):
    organizer = make_organizer()
    browser = app.test_client()
    login(browser, organizer)
    result = runner.invoke(args=["organizer", "password", organizer.email, "--password-stdin"],
                           input="another long password\n")
    assert result.exit_code == 0, result.output
    assert browser.get("/console/").status_code == 302
    old = app.test_client().post("/console/login", data={"email": organizer.email,
                                                          "password": PASSWORD})
    assert old.status_code == 401
    short = runner.invoke(args=["organizer", "password", organizer.email, "--password-stdin"],
                          input="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    result = runner.invoke(args=["organizer", "signout", organizer.email])
    assert result.exit_code == 0 and "signed out" in result.output


def test_sign_out_everywhere_service_replaces_the_key(app):
    organizer = make_organizer()
    before = organizer.session_key
    sign_out_everywhere(organizer)
    assert organizer.session_key != before and len(organizer.session_key) == 32


def integer_id_tables():
    from sqlalchemy import Integer

    # A primary key that is a foreign key (person_photos.person_id) is not made here: it is
    # the id of the row it belongs to, which is itself never reused.
    return [t.name for t in db.metadata.sorted_tables if len(t.primary_key.columns) == 1
            and isinstance(t.primary_key.columns[0].type, Integer)
            and not t.primary_key.columns[0].foreign_keys]


def test_on_sqlite_every_integer_id_is_autoincrement(app):
    """So no id that left the server (cookie, URL, export) ever names a new row."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL sequences never reuse a value")
    with db.engine.connect() as conn:
        sql = dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type='table'")
                                ).all())
    tables = integer_id_tables()
    assert {"attendees", "organizers", "events", "people"} <= set(tables)
    missing = [name for name in tables if "AUTOINCREMENT" not in sql[name]]
    assert missing == []


def test_the_newest_rows_id_is_not_given_again_after_a_delete(app, event, create_attendee):
    create_attendee(event)
    newest = create_attendee(event)
    newest_id, person_id = newest.id, newest.person_id
    remove_attendee(newest)
    again = create_attendee(event)
    assert again.id > newest_id and again.person_id > person_id


def test_sign_out_everywhere_in_spanish(app):
    organizer = make_organizer()
    browser = app.test_client()
    login(browser, organizer)
    page = browser.get("/console/", headers={"Accept-Language": "es"})
    assert "Salir en todos los dispositivos" in page.text
