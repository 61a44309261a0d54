"""Follow-ups at scale (issue 14): a batch of follow-ups is gathered in a fixed number of
queries, and each email reads exactly as the one rendered on its own."""

import base64
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select

from checkin.columns import now_utc
from checkin.connections.services import remove_connection
from checkin.events.services import close_event
from checkin.extensions import db
from checkin.followups.render import followup_contexts, render_followup, render_followup_email
from checkin.followups.services import queue_followups
from checkin.mail.models import OutboxMessage
from checkin.people.invitations import event_when
from checkin.people.models import Attendee
from checkin.people.services import update_card
from checkin.text import spreadsheet_cell
from tests import factories
from tests.statements import statements_run
from tests.test_followups_render import build_meetup

TRADES = [("Contabilidad para tiendas", "Diseño de etiquetas"),
          ("Label design", "Accounting for shops"),
          ("Fotografía de producto", "Clientes en hostelería")]


def build_event(owner, size: int, per: int):
    """``size`` people, each met the next ``per`` (a ring), a note by the lower of each pair
    on every other meeting, and one removal (the first removed the second)."""
    event = factories.make_event(owner, name=f"Ring {size}")
    start = now_utc() - timedelta(hours=2)
    people = []
    for i in range(size):
        offer, need = TRADES[i % len(TRADES)]
        people.append(factories.make_attendee(
            event, first_name=f"P{i}", last_name="Ring", email=f"p{i}@example.com",
            language=("es", "en")[i % 2], offer=offer, need=need, share_phone=i % 3 == 0,
            phone=f"+34 600 000 {i:03d}"))
        factories.make_checkin(people[-1], scanned_at=start + timedelta(minutes=i))
    for i, a in enumerate(people):
        for k in range(1, per + 1):
            b = people[(i + k) % size]
            if b is a:
                continue
            connection = factories.make_connection(a, b, at=start + timedelta(minutes=i * k))
            if (i + k) % 2:
                factories.make_note(a, connection, f"Note by {i} about {(i + k) % size}")
    remove_connection(people[0], people[1])
    close_event(event)
    return event, people


def test_a_batch_is_gathered_and_queued_in_the_same_statements_whatever_its_size(app, owner):
    small, _ = build_event(owner, size=4, per=1)
    large, _ = build_event(owner, size=24, per=5)
    counts = []
    for e in (small, large):
        with statements_run() as seen:
            queue_followups(e, batch_size=50)
        counts.append(len(seen))
    assert counts[0] == counts[1]
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 28


def test_each_email_of_a_batch_reads_as_the_one_rendered_alone(app, owner):
    _event, people = build_event(owner, size=9, per=3)
    attendees = db.session.scalars(select(Attendee).where(
        Attendee.id.in_([p.id for p in people])).order_by(Attendee.id)).all()
    together = [render_followup_email(f) for f in followup_contexts(attendees)]
    for attendee, email in zip(attendees, together, strict=True):
        alone = render_followup(attendee)
        assert (email.subject, email.text, email.html, email.attachments, email.to_address) \
            == (alone.subject, alone.text, alone.html, alone.attachments, alone.to_address)
    first, second = together[0], together[1]
    # The removal holds for both of them: neither lists nor suggests the other.
    assert "P1 Ring" not in first.text and "P0 Ring" not in second.text
    assert "P2 Ring" in first.text
    # Each note reaches its own author only.
    assert "Note by 2 about 3" in together[2].text
    assert "Note by 2 about 3" not in together[3].text


def test_a_card_edited_between_two_renders_reads_as_edited(app, owner):
    # Each card's entry is rendered once and reused (per card, photo and language): an edit
    # is a new card, so the next email shows it, in both parts and in the vCard's note.
    _event, people = build_meetup(owner)
    ana, luis = people["ana"], people["luis"]
    update_card(luis.person, headline="Shoe retail")
    before = render_followup(ana)
    assert "Shoe retail" in before.text and "Shoe retail" in before.html
    assert "+34 600 000 000" in before.text  # Luis shares his phone
    update_card(luis.person, headline="Shoe shop owner", offer="Window space by the hour",
                share_phone=False)
    after = render_followup(ana)
    for body in (after.text, after.html):
        assert "Shoe shop owner" in body and "Shoe retail" not in body
        assert "Window space by the hour" in body and "+34 600 000 000" not in body
    vcf = base64.b64decode(after.attachments[0]["data"]).decode()
    assert "Window space by the hour" in vcf and "Shoe shop window space" not in vcf


def test_each_reader_gets_the_cards_in_their_own_language(app, owner):
    _event, people = build_meetup(owner)
    marta = render_followup(people["marta"])  # Spanish: met Ana
    luis = render_followup(people["luis"])  # English: met Ana
    assert "Ofrece: Contabilidad para tiendas pequeñas" in marta.text
    assert "Offers: Contabilidad para tiendas pequeñas" in luis.text
    assert "Offers" not in marta.text.split("Ana Tester")[1].split("Quiere")[0]
    for email, word in ((marta, "Ofrece"), (luis, "Offers")):
        vcf = base64.b64decode(email.attachments[0]["data"]).decode()
        assert f"{word}: Contabilidad para tiendas pequeñas" in vcf


def test_the_contacts_spreadsheet_is_written_as_row_by_row_and_shows_an_edit(app, owner):
    # Each card's cells are written once and kept (issue 14); every reader's file must be
    # the one the csv writer gives for whole rows, and an edited card a new one.
    import csv
    import io

    from checkin.followups.render import contacts_csv, followup_context

    _event, people = build_meetup(owner)
    ana, luis = people["ana"], people["luis"]
    update_card(luis.person, headline='=HYPERLINK("x"), "quoted"', company="Shoes, Inc.\nLtd",
                offer="-50 % on soles")

    def whole_rows(contacts, tz):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Name", "Headline", "Company", "Email", "Phone", "Links", "What they do",
                         "Offers", "Needs", "My note", "Met at"])
        zone = ZoneInfo(tz)
        for c in contacts:
            p = c.person
            writer.writerow([spreadsheet_cell(v) for v in (
                p.display_name, p.headline, p.company, c.shared.get("email", ""),
                c.shared.get("phone", ""), " ".join(c.shared.get("links", [])), p.what_i_do,
                p.offer, p.need, c.my_note,
                c.met_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))])
        return ("\ufeff" + out.getvalue()).encode()

    for reader in (ana, luis, ana):  # the second time from the kept cells
        context = followup_context(reader)
        with force_locale("en"):
            assert contacts_csv(context.contacts, "Europe/Madrid") == whole_rows(
                context.contacts, "Europe/Madrid")
    update_card(luis.person, company="Shoe Shop SL")
    with force_locale("en"):
        sheet = contacts_csv(followup_context(ana).contacts, "Europe/Madrid").decode()
    assert "Shoe Shop SL" in sheet and "Shoes, Inc." not in sheet


def test_a_moved_event_shows_its_new_time_in_the_next_follow_up(app, owner):
    event, people = build_meetup(owner)
    before = render_followup(people["luis"])
    event.starts_at, event.ends_at = (event.starts_at - timedelta(days=1, hours=1),
                                      event.ends_at - timedelta(days=1))
    db.session.commit()
    after = render_followup(people["luis"])
    when = event_when(event, "en")
    assert when in after.text and when not in before.text


def test_a_vcard_note_is_folded_as_character_by_character(app):
    from checkin.people.vcard import _folded

    def by_character(line, limit=75):
        out, counter = [], 0
        for char in line:
            size = len(char.encode())
            if counter + size > limit:
                out.append("\r\n ")
                counter = 1
            out.append(char)
            counter += size
        return "".join(out) + "\r\n"

    for line in ("NOTE:" + "Diseño de etiquetas, ñandú € 😀 " * k for k in range(3, 12)):
        assert _folded(line) == by_character(line)
        assert all(len(part.encode()) <= 75 for part in _folded(line).split("\r\n"))


def test_each_contact_entry_reads_as_its_template_renders_it(app, owner):
    # An entry's fixed text is rendered once per language with marks where the card, the
    # note and the time go, then filled in for each contact (issue 14): each entry must read
    # as the entry template rendered for that contact, a note to escape and indent included.
    from flask import render_template

    from checkin.connections.models import Note
    from checkin.followups.render import (
        contact_cards,
        contact_entries,
        followup_context,
        labels,
        met_times,
    )

    event, people = build_meetup(owner)
    ana = people["ana"]
    note = db.session.scalars(select(Note).where(Note.author_id == ana.id)).one()
    note.text = "Quiere <fotos> & \"vídeo\"\nde la tienda\n\ny l'escaparate"
    db.session.commit()
    zone = ZoneInfo(event.timezone)
    assert sorted(bool(c.my_note) for c in followup_context(ana).contacts) == [False, True]
    for reader in (ana, people["luis"]):
        contacts = followup_context(reader).contacts
        for language in ("es", "en"):
            with force_locale(language):
                met_line = met_times(zone, language, labels()["met_at"])
                card_of = contact_cards(language)
                for part in ("html", "txt"):
                    expected = [render_template(
                        f"followups/mail/_entry.{part}", card=card_of(c, part), note=c.my_note,
                        met=met_line(c.met_at), labels=labels()) for c in contacts]
                    for _kept in range(2):  # the second time from the kept pieces
                        assert contact_entries(language, met_line)(contacts, part) == expected
    html = render_followup(ana).html
    assert "Quiere &lt;fotos&gt; &amp; &#34;vídeo&#34;\nde la tienda" in html


def test_the_templates_words_follow_each_readers_language_and_escape_what_they_hold(app, owner):
    # The templates' gettext is bound to each email's catalogue (issue 14): a batch in two
    # languages reads each email in its own, counts in its own plural, and a translated
    # sentence escapes in HTML the name it holds, not its own words.
    _event, people = build_meetup(owner)
    update_card(people["ana"].person, display_name='Ana <b> & "Co"')
    ana, luis, nora = (render_followup_email(f) for f in followup_contexts(
        [people["ana"], people["luis"], people["nora"]]))
    assert "At the organizer's next event, open your card" in nora.html
    assert 'Hola Ana <b> & "Co", esta es la gente que conociste' in ana.text
    assert "Hola Ana &lt;b&gt; &amp; &#34;Co&#34;, esta es la gente que conociste" in ana.html
    assert "Conociste a 2 personas en Café Networking." in ana.text
    for body in (luis.text, luis.html):
        assert "Hello Luis Tester, here is who you met" in body
        assert "You met 2 people at Café Networking." in body
