"""Exports: UTF-8 with a BOM for Excel, CRLF, and no cell that runs as a formula."""

import csv
import io

from checkin.door.services import check_in
from checkin.people.services import register_attendee
from checkin.text import spreadsheet_cell as csv_safe
from tests.conftest import login
from tests.factories import make_attendee, make_connection, make_note, make_organizer, make_staff


def read_csv(response) -> list[list[str]]:
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in response.data
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_safe_neutralises_formulas():
    for dangerous in ("=1+1", "+34 600", "-2", "@SUM(A1)", "\tx", "|cmd", "%0A"):
        assert csv_safe(dangerous).startswith("'")
    assert csv_safe("Ana") == "Ana" and csv_safe(None) == "" and csv_safe(3) == "3"


def test_attendees_export_with_check_in_times(client, owner, event):
    ana = register_attendee(event, first_name="Ana", last_name="Núñez", email="ana@x.org",
                            company='=HYPERLINK("http://evil")', ticket_code="T-1")
    make_attendee(event, first_name="Luis")
    check_in(event, ana.card_code, gate="Door 1")
    login(client, owner)
    response = client.get(f"/console/events/{event.slug}/exports/attendees.csv", buffered=True)
    assert f'filename="{event.slug}-attendees.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    header, first = rows[0], rows[1]
    assert header[:5] == ["id", "name", "first_name", "last_name", "email"]
    assert header[13] == "checked_in_at (Europe/Madrid)"
    assert first[1] == "Ana Núñez" and first[6] == "'=HYPERLINK(\"http://evil\")"
    assert first[9] == "T-1" and first[11] == f"http://localhost/c/{ana.card_code}"
    assert first[13] and first[14] == "Door 1" and first[15] == "yes"
    assert len(rows) == 3 and rows[2][13] == ""


def test_connections_export_without_private_notes(client, owner, event):
    ana = make_attendee(event, first_name="Ana", last_name="A")
    luis = make_attendee(event, first_name="Luis", last_name="L", company="-Minus")
    connection = make_connection(ana, luis)
    make_note(ana, connection, "secret thoughts")
    login(client, owner)
    response = client.get(f"/console/events/{event.slug}/exports/connections.csv", buffered=True)
    assert b"secret thoughts" not in response.data
    rows = read_csv(response)
    assert rows[0][1] == "met_at (Europe/Madrid)"
    assert rows[1][2] == "Ana A" and rows[1][7] == "'-Minus" and rows[1][8] == "Ana A"


def test_exports_are_for_owners_only(client, event):
    for organizer in (make_organizer(), make_staff(event)):
        login(client, organizer)
        for kind in ("attendees", "connections"):
            assert client.get(f"/console/events/{event.slug}/exports/{kind}.csv"
                              ).status_code == 404
        client.post("/console/logout")
    assert client.get(f"/console/events/{event.slug}/exports/attendees.csv").status_code == 302
