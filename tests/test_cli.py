"""The CLI: organizers, API tokens, the demo event."""

from sqlalchemy import func, select

from checkin.accounts.models import Organizer
from checkin.accounts.services import authenticate, organizer_for_token
from checkin.connections.models import Connection, Note
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee, Person


def test_organizer_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["organizer", "create", "Ana@Example.org", "--password-stdin"],
                           input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert authenticate("ana@example.org", "s3cret-pass") is not None


def test_organizer_create_refuses_an_existing_email(runner, owner):
    result = runner.invoke(args=["organizer", "create", owner.email, "--password-stdin"],
                           input="another-pass\n")
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_organizer_create_refuses_a_bad_email(runner):
    result = runner.invoke(args=["organizer", "create", "not-an-email", "--password-stdin"],
                           input="long-enough\n")
    assert result.exit_code == 2
    assert "Not a valid email address" in result.output


def test_organizer_create_refuses_an_empty_password(runner):
    result = runner.invoke(args=["organizer", "create", "b@example.org", "--password-stdin"],
                           input="\n")
    assert result.exit_code == 2
    assert "password is empty" in result.output


def test_organizer_token_prints_a_working_token_as_its_last_line(runner, owner):
    result = runner.invoke(args=["organizer", "token", owner.email])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert organizer_for_token(token).id == owner.id


def test_organizer_token_for_an_unknown_email_fails_clearly(runner):
    result = runner.invoke(args=["organizer", "token", "nobody@example.org"])
    assert result.exit_code == 2
    assert "No organizer" in result.output


def test_demo_creates_a_believable_event_once(runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "demo@example.org" in result.output
    assert result.output.count("/s/") == 2
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    from checkin.demo import AT_BREAKFAST, DEMO_SLUG, PAST_SLUG

    live = db.session.scalar(select(Event).filter_by(slug=DEMO_SLUG))
    past = db.session.scalar(select(Event).filter_by(slug=PAST_SLUG))
    assert live.community_id == past.community_id and past.is_closed and past.ends_at < \
        live.starts_at
    assert count(Attendee) == 40 + len(AT_BREAKFAST) and count(Person) == 40
    assert count(Connection) >= 20 and count(Note) >= 3
    checked_in = db.session.scalar(
        select(func.count()).select_from(Attendee).where(Attendee.checked_in_at.is_not(None),
                                                        Attendee.event_id == live.id))
    assert 0 < checked_in < 40
    emails = db.session.scalars(select(Person.email)).all()
    assert "jose.lopez@example.com" in emails and "alvaro.gil@example.com" in emails
    languages = db.session.scalars(select(Person.language)).all()
    assert languages.count("es") == 20 and languages.count("en") == 20
    assert all(db.session.scalars(select(Person.offer)).all())
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and count(Attendee) == 40 + len(AT_BREAKFAST)


def test_demo_refuses_production_and_makes_no_organizer(app, runner):
    app.config["CHECKIN_ENV"] = "production"
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 2
    assert "not for production" in result.output and "demo-organizer" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Organizer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_demo_prints_one_spanish_and_one_english_attendee_whose_cards_agree(runner):
    from checkin.demo import BREAKFAST_NOTES, FIRST, TRADES

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Attendee:")]
    assert len(lines) == 2
    assert "Ana García (español)" in lines[0] and "Emma Smith (English)" in lines[1]
    trade_language = {headline: lang for lang, headline, *_rest in TRADES}
    for person in db.session.scalars(select(Person)):
        # A Spanish speaker has a Spanish name and a card written in Spanish, and so on.
        assert person.first_name in FIRST[person.language], person.display_name
        assert trade_language[person.headline] == person.language, person.display_name
        assert person.phone.startswith("+34" if person.language == "es" else "+44")
    for note in db.session.scalars(select(Note)):
        author = db.session.get(Attendee, note.author_id)
        assert author.person.language == ("es" if note.text in {
            "Conoce proveedores para zapaterías", "Quiere hablar de exportar a Alemania",
            "Hacer café la semana que viene", BREAKFAST_NOTES["es"]} else "en")
    # Both printed attendees have met people already, so their pages are not empty.
    from checkin.connections.services import people_met

    for name in ("Ana", "Emma"):
        attendee = db.session.scalar(select(Attendee).join(Person).where(
            Person.first_name == name).order_by(Attendee.id.desc()).limit(1))
        assert people_met(attendee)
        # ... and met someone at both events: one entry in My network, two meetings.
        from checkin.members.network import network_of

        assert any(len(contact.meetings) == 2 for contact in network_of(attendee.person))
