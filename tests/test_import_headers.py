"""Every export's own words: headers however they are spelt, the company and LinkedIn
questions organizers add, Hi.Events' product and company, Meetup members without an id, and
a warning for guests who cannot be invited."""

import io

import pytest

from checkin.extensions import db
from checkin.guestlists.services import apply_import, read_guests
from checkin.people.models import Attendee, Person
from tests.conftest import login


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def guests(data: bytes) -> tuple[str, dict]:
    fmt, _encoding, _delimiter, _rows, found, _skips = read_guests(data)
    return fmt.key, {g.name: g for g in found}


@pytest.mark.parametrize("header", [
    "first_name,last_name,email", "First Name,Last Name,Email", "FIRST-NAME,LAST-NAME,E-MAIL",
    "first.name,last.name,e.mail", "First_Name;Last_Name;EMail"])
def test_headers_fold_underscores_dashes_dots_and_case(header):
    delimiter = ";" if ";" in header else ","
    row = delimiter.join(["Ana", "López", "ana@example.org"])
    key, found = guests(f"{header}\n{row}\n".encode())
    assert key == "spreadsheet"
    assert found["Ana López"].email == "ana@example.org"


def test_luma_headers_in_any_spelling_and_its_questions_reach_the_card():
    data = (b"API ID,Name,First Name,Last Name,Email,Approval Status,QR Code URL,Ticket Name,"
            b"What company do you work for?,Your LinkedIn profile\n"
            b"gst-1,Valentina Rossi,Valentina,Rossi,valentina@example.it,approved,"
            b"https://lu.ma/check-in/evt-1?pk=g-1,Standard,Acme Srl,"
            b"linkedin.com/in/valentina\n")
    key, found = guests(data)
    valentina = found["Valentina Rossi"]
    assert key == "luma" and valentina.ticket_code == "g-1"
    assert valentina.company == "Acme Srl"
    assert valentina.links == ["https://linkedin.com/in/valentina"]


def test_hi_events_product_name_and_company_name():
    data = ("ID,First Name,Last Name,Email,Status,Product Name,Company name,Public ID\n"
            "1,Lucía,Fernández,lucia@example.org,ACTIVE,VIP,Zapaterías Sur,A-1\n").encode()
    key, found = guests(data)
    lucia = found["Lucía Fernández"]
    assert key == "hi_events"
    assert (lucia.ticket_type, lucia.company) == ("VIP", "Zapaterías Sur")


def test_meetup_member_without_an_id_gets_no_code_and_keeps_company_and_linkedin():
    data = ("Name\tUser ID\tRSVP\tWhat company are you with?\tLinkedIn URL\n"
            "Carlos Gómez\t123456789\tYes\tGómez Diseño\thttps://www.linkedin.com/in/cg\n"
            "Ana Ruiz\t\tYes\t\t\n"
            "Zoe Park\tuser\tYes\t\tnot a link\n").encode()
    key, found = guests(data)
    assert key == "meetup"
    carlos = found["Carlos Gómez"]
    assert carlos.ticket_code == "meetup-123456789" and carlos.company == "Gómez Diseño"
    assert carlos.links == ["https://www.linkedin.com/in/cg"]
    assert found["Ana Ruiz"].ticket_code == "" and found["Zoe Park"].ticket_code == ""
    assert found["Zoe Park"].links == []
    assert any("not a web address" in str(w) for w in found["Zoe Park"].warnings)


def test_company_and_links_from_the_file_are_written_to_the_card(event):
    data = ("Name\tUser ID\tRSVP\tCompany\tLinkedIn\n"
            "Carlos Gómez\t1\tYes\tGómez Diseño\tlinkedin.com/in/cg\n").encode()
    apply_import(event, data)
    carlos = db.session.query(Person).one()
    assert carlos.company == "Gómez Diseño"
    assert carlos.links == ["https://linkedin.com/in/cg"]
    assert db.session.query(Attendee).one().ticket_code == "meetup-1"


def test_the_preview_warns_about_guests_without_an_email(client, owner, event):
    login(client, owner)
    data = b"name,email\nAna,ana@example.org\nLuis Gil,\n"
    preview = client.post(f"/console/events/{event.slug}/import",
                          data={"file": (io.BytesIO(data), "g.csv")},
                          content_type="multipart/form-data")
    assert "No email: this guest cannot be sent an invitation." in preview.text
    spanish = client.post(f"/console/events/{event.slug}/import",
                          data={"file": (io.BytesIO(data), "g.csv")},
                          content_type="multipart/form-data",
                          headers={"Accept-Language": "es"})
    assert "Sin correo: no se le puede enviar una invitación." in spanish.text


def workbook(*rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_is_read_as_it_shows(client, owner, event):
    from datetime import datetime

    data = workbook([], ["First_Name", "Last_Name", "Email", "Phone", "Registered"],
                    ["Ana", "López", "ana@example.org", 600123123, datetime(2026, 11, 2, 10, 0)],
                    [None, None, None, None, None],
                    ["Luis", "Gil", "luis@example.org", None, None])
    fmt, encoding, _delimiter, rows, found, _skips = read_guests(data)
    assert (fmt.key, encoding, rows) == ("spreadsheet", "xlsx", 2)
    ana = {g.name: g for g in found}["Ana López"]
    assert (ana.phone, ana.line) == ("600123123", 3)  # the row number Excel shows
    login(client, owner)
    preview = client.post(f"/console/events/{event.slug}/import",
                          data={"file": (io.BytesIO(data), "guests.xlsx")},
                          content_type="multipart/form-data")
    assert "guests.xlsx: read as Spreadsheet from an Excel workbook, 2 rows." in preview.text
    token = preview.text.split('name="upload" type="hidden" value="')[1].split('"')[0]
    client.post(f"/console/events/{event.slug}/import/confirm", data={"upload": token})
    assert db.session.query(Attendee).count() == 2
