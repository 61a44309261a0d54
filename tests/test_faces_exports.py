"""Faces that leave the server in files: PHOTO in vCards, inline images in the follow-up."""

import io

import vobject
from PIL import Image

from checkin.extensions import db
from checkin.faces.images import THUMB, process_photo
from checkin.faces.services import replace_photo
from checkin.mail.models import OutboxMessage
from tests.people_helpers import sign_in_as
from tests.photos import encoded, phone_jpeg, portrait
from tests.test_followups_render import build_meetup, by_recipient, send_all


def give_photo(attendee, data=None):
    row = replace_photo(attendee.person, process_photo(data or encoded(portrait(600), "JPEG")))
    db.session.commit()
    return row


def photo_of(card) -> Image.Image:
    assert card.photo.params["TYPE"] == ["JPEG"] and card.photo.params["ENCODING"] == ["b"]
    image = Image.open(io.BytesIO(card.photo.value))
    image.load()
    return image


def test_save_contact_carries_the_photo_and_met_vcf_every_photo(client, event, create_attendee,
                                                                create_connection):
    ana, luis, marta = (create_attendee(event, display_name=n) for n in ("Ana", "Luis", "Marta"))
    create_connection(luis, ana)
    create_connection(luis, marta)
    give_photo(ana, phone_jpeg())
    sign_in_as(client, luis)
    card = vobject.readOne(client.get(f"/c/{ana.card_code}/vcard").text)
    image = photo_of(card)
    assert (image.format, image.size) == ("JPEG", (THUMB, THUMB))
    assert not image.getexif()
    cards = {c.fn.value: c for c in vobject.readComponents(
        client.get(f"/e/{event.slug}/met.vcf").text)}
    assert photo_of(cards["Ana"]).size == (THUMB, THUMB)
    assert "photo" not in cards["Marta"].contents  # no photo: no PHOTO, the phone draws one


def test_the_followup_carries_faces_as_inline_parts(app, owner, smtp_server):
    event, people = build_meetup(owner)
    key = give_photo(people["luis"]).key
    send_all(app, event, smtp_server)
    ana = by_recipient(smtp_server)["ana@example.com"]
    html_part = ana.get_body(("html",))
    html = html_part.get_content()
    assert f'src="cid:face-{key}@checkin"' in html
    assert ">MT</div>" in html  # Marta has no photo: her initials
    related = [p for p in ana.walk() if p.get("Content-ID") == f"<face-{key}@checkin>"]
    assert len(related) == 1
    part = related[0]
    assert part.get_content_type() == "image/jpeg"
    assert part.get_content_disposition() == "inline"
    assert Image.open(io.BytesIO(part.get_content())).size == (THUMB, THUMB)
    # The image sits with the HTML it belongs to (multipart/related), and no image is remote.
    assert any(p.get_content_type() == "multipart/related" for p in ana.walk())
    assert "src=\"http" not in html
    vcf = next(p for p in ana.walk() if p.get_filename() == "contacts.vcf")
    cards = {c.fn.value: c for c in vobject.readComponents(vcf.get_content())}
    assert photo_of(cards["Luis Tester"]).format == "JPEG"
    # Once delivered, the outbox keeps no copy of anyone's face.
    stored = db.session.scalar(db.select(OutboxMessage).where(
        OutboxMessage.to_address == "ana@example.com"))
    assert all(a["data"] == "" for a in stored.attachments if a.get("cid"))


def test_the_organizers_preview_shows_the_faces(client, owner):
    from tests.conftest import login

    event, people = build_meetup(owner)
    key = give_photo(people["luis"]).key
    login(client, owner)
    frame = client.get(f"/console/events/{event.slug}/followups/preview/{people['ana'].id}.html")
    assert frame.status_code == 200
    # The frame's CSP allows data: images only: the inline part is written out as one.
    assert f"cid:face-{key}" not in frame.text
    assert 'src="data:image/jpeg;base64,/9j/' in frame.text
    assert "img-src data:" in frame.headers["Content-Security-Policy"]
