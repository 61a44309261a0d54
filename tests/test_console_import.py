"""Console and CLI: upload a guest list, see the preview, confirm; nothing before that."""

import io
import re
from pathlib import Path

from checkin.extensions import db
from checkin.people.models import Attendee
from tests.conftest import csrf_token_from, login
from tests.factories import make_event, make_organizer

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def upload(client, event, name, data=None):
    data = data if data is not None else (FIXTURES / name).read_bytes()
    return client.post(f"/console/events/{event.slug}/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_preview_then_confirm(client, owner, event):
    login(client, owner)
    assert "Files we understand" in client.get(f"/console/events/{event.slug}/import").text
    preview = upload(client, event, "eventbrite_classic.csv")
    assert preview.status_code == 200
    text = preview.text
    assert "Eventbrite attendee report" in text and "Nothing has been saved yet." in text
    assert "Not attending (Eventbrite)" in text and "Ana Núñez" in text
    assert db.session.query(Attendee).count() == 0
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', text).group(1)
    done = client.post(f"/console/events/{event.slug}/import/confirm", data={"upload": token})
    assert done.status_code == 303
    assert db.session.query(Attendee).count() == 4
    page = client.get(done.headers["Location"])
    assert "Imported: 4 added, 0 updated, 0 unchanged, 1 skipped." in page.text
    again = upload(client, event, "eventbrite_classic.csv")
    assert "Nothing to import" in again.text


def test_preview_in_spanish(client, owner, event):
    login(client, owner)
    preview = client.post(f"/console/events/{event.slug}/import",
                          data={"file": (io.BytesIO((FIXTURES / "meetup.tsv").read_bytes()),
                                         "meetup.tsv")},
                          headers={"Accept-Language": "es"})
    assert "Vista previa" in preview.text and "no es Sí" in preview.text


def test_bad_files_show_the_reason_and_write_nothing(client, owner, event):
    login(client, owner)
    for name, words in (("unknown.csv", "We do not recognise this guest list"),
                        ("binary.xlsx", "This Excel file could not be read"),
                        ("empty.csv", "The file is empty."),
                        ("plain_no_name.csv", "The file has no name column")):
        response = upload(client, event, name)
        assert response.status_code == 400 and words in response.text, name
    assert db.session.query(Attendee).count() == 0


def test_a_tampered_or_foreign_preview_is_refused(client, owner, event):
    login(client, owner)
    preview = upload(client, event, "plain_en.csv")
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', preview.text).group(1)
    other = make_event(owner)
    response = client.post(f"/console/events/{other.slug}/import/confirm",
                           data={"upload": token})
    assert response.status_code == 303
    assert "expired" in client.get(response.headers["Location"]).text
    client.post(f"/console/events/{event.slug}/import/confirm", data={"upload": token + "x"})
    assert db.session.query(Attendee).count() == 0


def test_import_needs_csrf_and_ownership(csrf_app, client, owner, event):
    stranger = make_organizer()
    page = client.get("/console/login")
    client.post("/console/login", data={"email": stranger.email,
                                        "password": "correct horse battery",
                                        "csrf_token": csrf_token_from(page.text)})
    assert client.get(f"/console/events/{event.slug}/import").status_code == 404
    client.post("/console/logout", data={"csrf_token": csrf_token_from(page.text)})
    login_page = client.get("/console/login")
    client.post("/console/login", data={"email": owner.email, "password": "correct horse battery",
                                        "csrf_token": csrf_token_from(login_page.text)})
    response = upload(client, event, "plain_en.csv")
    assert response.status_code == 400  # no CSRF token
    assert db.session.query(Attendee).count() == 0


def test_cli_import_with_progress_and_dry_run(runner, event, tmp_path):
    path = FIXTURES / "plain_en.csv"
    dry = runner.invoke(args=["attendees", "import", event.slug, str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Read 7 rows as Spreadsheet" in dry.output and "Dry run" in dry.output
    assert "line 7: skipped: No name and no email." in dry.output
    assert db.session.query(Attendee).count() == 0
    result = runner.invoke(args=["attendees", "import", event.slug, str(path)])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output
    assert f"Imported into {event.slug}: 5 added" in result.output
    assert db.session.query(Attendee).count() == 5


def test_cli_refusals(runner, event, tmp_path):
    bad = runner.invoke(args=["attendees", "import", event.slug,
                              str(FIXTURES / "unknown.csv")])
    assert bad.exit_code == 2 and "We do not recognise" in bad.output
    missing = runner.invoke(args=["attendees", "import", "no-such-event",
                                  str(FIXTURES / "plain_en.csv")])
    assert missing.exit_code == 2 and "No such event" in missing.output
