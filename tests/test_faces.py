"""Faces: photos read with Pillow (upright, no EXIF, square, small), refused when they are
not, stored, served by content hash, shown on the card, removed; initials without one."""

import functools
import io
import struct
import zlib

import pytest
from PIL import Image

from checkin.extensions import db
from checkin.faces.images import LARGE, THUMB, process_photo
from checkin.faces.initials import initials
from checkin.faces.models import PersonPhoto
from checkin.faces.services import photo_keys
from checkin.people.models import Person
from tests.people_helpers import sign_in_as
from tests.photos import encoded, phone_jpeg, portrait
from tests.statements import statements_run
from tests.test_people_card import CARD

SPANISH = {"Accept-Language": "es"}


def read_back(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_phone_jpeg_is_stored_upright_square_and_without_exif():
    photo = process_photo(phone_jpeg(orientation=6))
    for data, kind in ((photo.large, "WEBP"), (photo.thumb, "JPEG")):
        image = read_back(data)
        assert image.format == kind and image.width == image.height
        assert not image.getexif() and "exif" not in image.info
        assert not image.getexif().get_ifd(0x8825)  # no GPS
        assert b"PhoneCo" not in data and b"GPS" not in data
        # Stored sideways (red left, blue right), turned a quarter clockwise: red on top.
        top, bottom = image.getpixel((image.width // 2, 5)), image.getpixel(
            (image.width // 2, image.height - 5))
        assert top[0] > 150 and top[2] < 100, top
        assert bottom[2] > 150 and bottom[0] < 100, bottom
    assert read_back(photo.thumb).size == (THUMB, THUMB)
    assert read_back(photo.large).size == (LARGE, LARGE)


@pytest.mark.parametrize(("kind", "options"), [("PNG", {}), ("WEBP", {"quality": 90}),
                                                ("JPEG", {"quality": 92})])
def test_png_webp_and_jpeg_become_a_512_webp_and_a_192_jpeg(kind, options):
    photo = process_photo(encoded(portrait(), kind, **options))
    large, thumb = read_back(photo.large), read_back(photo.thumb)
    assert (large.format, large.size) == ("WEBP", (LARGE, LARGE))
    assert (thumb.format, thumb.size) == ("JPEG", (THUMB, THUMB))
    assert len(photo.large) < 60_000 and len(photo.thumb) < 20_000


def test_a_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    photo = process_photo(encoded(image, "PNG"))
    assert read_back(photo.thumb).getpixel((10, 10))[0] > 240


def truncated_jpeg() -> bytes:
    data = encoded(portrait(800), "JPEG", quality=90)
    return data[: len(data) // 2]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def bomb_png() -> bytes:
    """A 20,000 × 20,000 PNG: 390 KB that would unpack into 400 MB (written a row at a time,
    so making it costs the test no such memory)."""
    squeeze = zlib.compressobj(9)
    row = bytes(20_001)  # the filter byte, then a row of black
    idat = b"".join([*(squeeze.compress(row) for _ in range(20_000)), squeeze.flush()])
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


REFUSALS = [
    ("not an image", lambda: b"%PDF-1.4 not a photo at all", "not_an_image",
     "This file is not a photo we can read. Choose a JPEG, PNG or WebP image.",
     "Este archivo no es una foto que podamos leer. Elige una imagen JPEG, PNG o WebP."),
    ("20,000 × 20,000", bomb_png, "too_many_pixels",
     "This image is too large to be a photo (over 50 megapixels). Choose a smaller one.",
     "Esta imagen es demasiado grande para ser una foto (más de 50 megapíxeles). "
     "Elige una más pequeña."),
    ("cut short", truncated_jpeg, "photo_truncated",
     "This photo did not arrive whole (the file is cut short). Try again.",
     "Esta foto no llegó entera (el archivo está cortado). Vuelve a intentarlo."),
]


@pytest.fixture
def me(client, event, create_attendee):
    attendee = create_attendee(event, display_name="Ana García")
    sign_in_as(client, attendee)
    return attendee


def upload(client, event, data: bytes, filename="photo.jpg", headers=None, **changes):
    form = {**CARD, **changes, "photo": (io.BytesIO(data), filename)}
    return client.post(f"/e/{event.slug}/me", data=form, headers=headers or {},
                       content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "make", "code", "english", "spanish"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_refused_files_say_why_and_keep_every_other_edit(client, event, me, name, make, code,
                                                          english, spanish):
    data = make()
    with pytest.raises(Exception) as refused:
        process_photo(data)
    assert refused.value.code == code
    response = upload(client, event, data, headline="Zapatera")
    assert response.status_code == 400
    assert english in response.text
    assert 'value="Zapatera"' in response.text  # the rest of the form as typed
    assert db.session.get(Person, me.person_id).headline == ""  # nothing saved
    assert db.session.get(PersonPhoto, me.person_id) is None
    assert spanish in upload(client, event, data, headers=SPANISH).text


def test_a_photo_on_the_card_is_served_by_its_hash_for_a_year(client, event, me):
    response = upload(client, event, phone_jpeg())
    assert response.status_code == 303
    row = db.session.get(PersonPhoto, me.person_id)
    card = client.get(f"/c/{me.card_code}").text
    assert f'src="/faces/{row.key}.jpg"' in card and f"/faces/{row.key}.webp 512w" in card
    for ext, mimetype in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        served = client.get(f"/faces/{row.key}.{ext}")
        assert served.status_code == 200 and served.mimetype == mimetype
        assert served.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        assert read_back(served.data).size[0] in (LARGE, THUMB)
    again = client.get(f"/faces/{row.key}.jpg", headers={"If-None-Match": f'"{row.key}"'})
    assert again.status_code == 304


def test_a_new_photo_is_a_new_url_and_the_old_one_is_gone(client, event, me):
    upload(client, event, phone_jpeg())
    first = db.session.get(PersonPhoto, me.person_id).key
    upload(client, event, encoded(portrait(500), "PNG"))
    second = db.session.get(PersonPhoto, me.person_id).key
    assert first != second
    assert client.get(f"/faces/{first}.jpg").status_code == 404
    assert client.get(f"/faces/{second}.jpg").status_code == 200


def test_who_may_not_see_a_photo(client, app, event, me, create_attendee):
    upload(client, event, phone_jpeg())
    key = db.session.get(PersonPhoto, me.person_id).key
    stranger = app.test_client()  # no sign-in, no link
    assert stranger.get(f"/faces/{key}.jpg").status_code == 200  # the URL is the key
    for guess in ("0" * 32, key[:-1] + ("0" if key[-1] != "0" else "1"), key.upper(),
                  f"{me.person_id}", "../" + key):
        assert stranger.get(f"/faces/{guess}.jpg").status_code == 404
    assert stranger.get(f"/faces/{key}.png").status_code == 404
    # The same file uploaded by someone else is their own photo, at another URL.
    other = create_attendee(event)
    sign_in_as(stranger, other)
    upload(stranger, event, phone_jpeg())
    assert photo_keys([other.person_id])[other.person_id] != key


def test_removing_my_photo_takes_its_urls_down(client, event, me):
    upload(client, event, phone_jpeg())
    key = db.session.get(PersonPhoto, me.person_id).key
    response = client.post(f"/e/{event.slug}/me", data={**CARD, "remove_photo": "y"})
    assert response.status_code == 303
    assert db.session.get(PersonPhoto, me.person_id) is None
    assert client.get(f"/faces/{key}.webp").status_code == 404
    assert "<svg class=\"face" in client.get(f"/c/{me.card_code}").text


def test_delete_me_removes_my_photo(client, event, me):
    upload(client, event, phone_jpeg())
    key = db.session.get(PersonPhoto, me.person_id).key
    assert client.post(f"/e/{event.slug}/me/delete").status_code == 303
    assert db.session.scalar(db.select(PersonPhoto)) is None
    assert client.get(f"/faces/{key}.jpg").status_code == 404


def test_a_refusal_elsewhere_asks_for_the_photo_again(client, event, me):
    response = upload(client, event, phone_jpeg(), display_name="")
    assert response.status_code == 400
    assert "Choose your photo again" in response.text
    assert db.session.get(PersonPhoto, me.person_id) is None


def test_without_a_photo_the_initials_show_on_a_colour_of_their_own(client, event, me,
                                                                     create_attendee):
    other = create_attendee(event, display_name="Zoe evans")
    mine = client.get(f"/c/{me.card_code}").text
    theirs = client.get(f"/c/{other.card_code}").text
    assert ">AG</text>" in mine and ">ZE</text>" in theirs
    fill = 'circle cx="50" cy="50" r="50" fill="'
    assert mine.split(fill)[1][:7] != theirs.split(fill)[1][:7]


@pytest.mark.parametrize(("name", "expected"), [
    ("Ana García", "AG"), ("zoe", "Z"), ("", "?"), ("  José  María Núñez ", "JM"),
    ("(Pepe) Gil", "G"), ("Ñandú 3", "Ñ3")])
def test_initials(name, expected):
    assert initials(name) == expected


def test_the_card_page_reads_one_key_never_the_bytes(client, app, event, me):
    upload(client, event, phone_jpeg())
    stranger = app.test_client()
    with statements_run() as statements:
        stranger.get(f"/c/{me.card_code}")
    photo_queries = [s for s in statements if "person_photos" in s]
    assert len(photo_queries) == 1
    assert "large" not in photo_queries[0] and "thumb" not in photo_queries[0]


def test_people_i_met_shows_faces_in_one_query(client, event, me, create_attendee,
                                               create_connection):
    upload(client, event, phone_jpeg())
    others = [create_attendee(event) for _ in range(4)]
    for other in others:
        create_connection(other, me)
    viewer = others[0]
    sign_in_as(client, viewer)
    key = db.session.get(PersonPhoto, me.person_id).key
    pages = []
    with statements_run() as statements:
        pages.append(client.get(f"/e/{event.slug}/met").text)
    assert f'src="/faces/{key}.jpg"' in pages[0]
    assert sum("person_photos" in s for s in statements) == 1


def test_the_demos_people_have_drawn_photos(runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    rows = db.session.scalars(db.select(PersonPhoto).options(
        db.undefer(PersonPhoto.large))).all()
    assert len(rows) == 30  # three in four; the rest show their initials
    assert len({row.key for row in rows}) == 30
    assert all(read_back(row.large).size == (LARGE, LARGE) for row in rows)


def test_my_data_says_where_my_photo_is(client, app, event, me):
    assert client.get(f"/e/{event.slug}/me/data.json").get_json()["photo"] is None
    upload(client, event, phone_jpeg())
    row = db.session.get(PersonPhoto, me.person_id)
    photo = client.get(f"/e/{event.slug}/me/data.json").get_json()["photo"]
    base = app.config["CHECKIN_BASE_URL"]
    assert photo["large"] == f"{base}/faces/{row.key}.webp"
    assert photo["thumbnail"] == f"{base}/faces/{row.key}.jpg"
