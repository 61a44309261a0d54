"""Guest-list files from every system we recognise, with their awkward rows."""

from pathlib import Path

import pytest

from checkin.errors import DomainError
from checkin.guestlists.formats import detect
from checkin.guestlists.reading import decode, read_table, sniff_delimiter
from checkin.guestlists.services import read_guests

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def guests_of(name: str):
    fmt, encoding, delimiter, rows, guests, skips = read_guests((FIXTURES / name).read_bytes())
    return fmt, encoding, delimiter, rows, {g.name: g for g in guests}, \
        {s.line: str(s.reason) for s in skips}


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def test_eventbrite_classic_report():
    fmt, encoding, delimiter, rows, guests, skips = guests_of("eventbrite_classic.csv")
    assert (fmt.key, str(fmt.label), rows) == ("eventbrite", "Eventbrite attendee report", 5)
    ana = guests["Ana Núñez"]
    assert ana.email == "ana.nunez@example.com"  # trailing space, odd capitals
    assert ana.company == "Núñez, Gómez y Asociados"  # quoted comma
    assert ana.ticket_code == "345678900112345678001"  # the barcode in their QR
    assert (ana.headline, ana.phone, ana.ticket_type) == ("Contable", "+34 600 111 222",
                                                          "General Admission")
    assert "Carmen López" in guests  # spaces trimmed
    # "Info Requested": no name given; a second ticket on Luis's order.
    friend = guests["luis"]
    assert friend.email == "luis@example.com" and friend.ticket_code.startswith("3456789003")
    assert "No name given" in str(friend.warnings[0])
    assert skips == {5: "Not attending (Eventbrite)"}


def test_eventbrite_uk_wording():
    fmt, *_rest, guests, skips = guests_of("eventbrite_classic_uk.csv")
    assert fmt.key == "eventbrite"
    oliver = guests["Oliver Smith"]
    assert (oliver.last_name, oliver.ticket_code, oliver.company) == (
        "Smith", "1122334455", "Smith & Sons, Ltd")
    assert skips == {3: "Refunded (Eventbrite)"}


def test_eventbrite_attendees_report():
    fmt, *_rest, guests, skips = guests_of("eventbrite_attendees.csv")
    assert str(fmt.label) == "Eventbrite “Attendees” report"
    assert guests["Sofía García"].ticket_code == "112233440011"
    assert guests["Sofía García"].headline == "Diseñadora"
    assert guests["buyer"].email == "buyer@example.es"
    assert skips == {3: "Not attending (Eventbrite)"}


def test_luma_with_bom_and_crlf():
    fmt, encoding, delimiter, rows, guests, skips = guests_of("luma.csv")
    assert (fmt.key, encoding) == ("luma", "utf-8-sig")
    valentina = guests["Valentina Rossi"]
    assert valentina.ticket_code == "g-V4l3nt1na"  # the pk of Luma's check-in QR
    assert valentina.phone == "+39 333 1234567" and valentina.ticket_type == "Standard"
    assert guests["Chiara, the Second"].ticket_code == "gst-0j1k2l"
    assert skips == {3: "Declined (Luma)", 4: "On the waitlist (Luma)"}


def test_pretix_checkin_list_unescapes_apostrophes():
    fmt, *_rest, guests, skips = guests_of("pretix.csv")
    assert fmt.key == "pretix" and not skips
    jan = guests["Jan Müller"]
    assert jan.phone == "+4930123456" and jan.company == "=Müller GmbH"
    assert jan.ticket_code == "k2h5rs8wdq7bjm9t3ncxqpzf6gv4ya2e"
    renate = guests["Renate Schulz"]
    assert renate.company == "@Home Office"
    assert "side entrance" in renate.attention_note


def test_tito_dashes_void_and_unassigned():
    fmt, *_rest, guests, skips = guests_of("tito.csv")
    assert fmt.key == "tito"
    grace = guests["Grace Hopper"]
    assert (grace.company, grace.phone, grace.ticket_code) == ("", "", "ABCD-1")
    assert skips == {3: "Void ticket (Tito)"}
    ada = guests["Ada Lovelace"]  # an unassigned ticket stays with its buyer
    assert ada.email == "ada@example.com" and ada.ticket_code == "IJKL-1"


def test_hi_events_skips_cancelled():
    fmt, *_rest, guests, skips = guests_of("hi_events.csv")
    assert fmt.key == "hi_events"
    assert guests["Lucía Fernández"].ticket_code == "A-8F3KQ2"
    assert guests["Elena Torres"].ticket_type == "Speaker"
    assert skips == {3: "Cancelled (Hi.Events)"}


def test_meetup_tab_separated_only_yes():
    fmt, encoding, delimiter, rows, guests, skips = guests_of("meetup.tsv")
    assert (fmt.key, delimiter) == ("meetup", "\t")
    assert set(guests) == {"Carlos Gómez", "Inés Mora"}
    assert guests["Carlos Gómez"].ticket_code == "meetup-123456789"
    assert guests["Carlos Gómez"].attention_note == "+1 (Meetup RSVP)"
    assert guests["Carlos Gómez"].email == ""
    assert skips == {3: "RSVP is “No”, not Yes (Meetup)", 4: "RSVP is “Waitlist”, not Yes (Meetup)"}


def test_plain_english_spreadsheet_with_awkward_rows():
    fmt, *_rest, guests, skips = guests_of("plain_en.csv")
    assert fmt.key == "spreadsheet"
    mary = guests["Mary O'Brien"]
    assert (mary.email, mary.company, mary.headline, mary.language) == (
        "mary@example.org", "Acme, Inc.", "CTO", "en")
    john = guests["John Doe"]
    assert john.company == "Line one line two" and john.language == "es"  # quoted newline
    # Same email, another name: a second guest (a friend's ticket).
    assert guests["Jane Doe"].email == "john@example.org"
    assert "“not-an-email” is not an email address" in str(guests["Bad Mail"].warnings[0])
    assert guests["No Mail Person"].email == ""
    # Line numbers count the line break inside the quoted company.
    assert skips == {5: "Same guest as line 3.", 7: "No name and no email."}


def test_spanish_excel_resave_windows_1252_semicolons():
    fmt, encoding, delimiter, rows, guests, skips = guests_of("plain_es_excel.csv")
    assert (fmt.key, encoding, delimiter) == ("spreadsheet", "windows-1252", ";")
    jose = guests["José Núñez"]
    assert (jose.first_name, jose.last_name, jose.email, jose.company, jose.headline) == (
        "José", "Núñez", "jose@ejemplo.es", "Café Ñandú", "Gerente")
    assert guests["María Peña"].company == "Peña; Hijos"
    assert guests["María Peña"].email == "maria@ejemplo.es"


@pytest.mark.parametrize("name, code", [
    ("plain_no_name.csv", "no_name_column"),
    ("unknown.csv", "unknown_format"),
    ("binary.xlsx", "binary_file"),
    ("empty.csv", "empty_file"),
    ("header_only.csv", "no_rows"),
])
def test_files_we_cannot_import_say_why(name, code):
    with pytest.raises(DomainError) as refused:
        read_guests((FIXTURES / name).read_bytes())
    assert refused.value.code == code
    assert refused.value.message


def test_unknown_format_lists_the_headers_found():
    with pytest.raises(DomainError) as refused:
        read_guests((FIXTURES / "unknown.csv").read_bytes())
    assert "foo, bar, baz" in refused.value.message


def test_decode_and_delimiters():
    assert decode("é".encode("utf-16"))[1] == "utf-16"
    assert decode("é".encode("cp1252"))[0] == "é"
    assert sniff_delimiter('"a,b";c;d') == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("single") == ","
    table = read_table(b"name,email\r\n\r\nAna,a@x.org\r\n")
    assert table.rows == [(3, ["Ana", "a@x.org"])]


def test_spanish_headers_detected():
    assert detect(["Nombre", "Correo", "Empresa"]).key == "spreadsheet"
    assert detect(["Name", "User ID", "Title", "RSVP"]).key == "meetup"
    assert detect(["x", "y"]) is None
