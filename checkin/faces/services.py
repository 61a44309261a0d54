"""Putting a photo on a card and taking it off; reading faces for pages, emails and vCards."""

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import undefer
from sqlalchemy.orm.attributes import set_committed_value

from checkin.columns import now_utc
from checkin.extensions import db
from checkin.faces.images import ProcessedPhoto
from checkin.faces.models import KEY_LENGTH, PersonPhoto
from checkin.people.models import Person


def photo_key(person_id: int, photo: ProcessedPhoto) -> str:
    """The photo's URL key: a hash of its bytes (a new photo, a new URL), salted with the
    person so that two people who upload the same file still have a photo each."""
    digest = hashlib.sha256(f"{person_id}:".encode() + photo.large + photo.thumb)
    return digest.hexdigest()[:KEY_LENGTH]


def replace_photo(person: Person, photo: ProcessedPhoto) -> PersonPhoto:
    """``person``'s photo is now ``photo``; an earlier one is overwritten, and its URL stops
    answering. Only changes the session: the caller's use case commits."""
    row = person.photo
    if row is None:
        row = PersonPhoto(person_id=person.id)
        person.photo = row
    row.key = photo_key(person.id, photo)
    row.large, row.thumb, row.created_at = photo.large, photo.thumb, now_utc()
    return row


def remove_photo(person: Person) -> None:
    """``person`` has no photo any more; its URLs stop answering. Only changes the session."""
    person.photo = None  # delete-orphan: the row goes at the flush


def photo_by_key(key: str) -> PersonPhoto | None:
    """The photo served at ``key``, with its bytes."""
    return db.session.scalar(select(PersonPhoto).where(PersonPhoto.key == key)
                             .options(undefer(PersonPhoto.large), undefer(PersonPhoto.thumb)))


def photo_keys(person_ids) -> dict[int, str]:
    """{person id: photo key} for the people among ``person_ids`` who have a photo (one
    query, no bytes): for a list of faces."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(PersonPhoto.person_id, PersonPhoto.key)
                                   .where(PersonPhoto.person_id.in_(ids))).all())


def thumbnails(person_ids) -> dict[int, tuple[str, bytes]]:
    """{person id: (key, 192 px JPEG)} for the people among ``person_ids`` with a photo
    (one query): what an email attaches and a vCard embeds."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(PersonPhoto.person_id, PersonPhoto.key, PersonPhoto.thumb)
                              .where(PersonPhoto.person_id.in_(ids))).all()
    return {person_id: (key, thumb) for person_id, key, thumb in rows}


def preload_photos(people) -> None:
    """Load the photo (key only) of every person in ``people`` in one query, so a page that
    draws their faces (``templates/faces/face.html``) runs no query per person."""
    people = [p for p in people if "photo" not in p.__dict__]
    if not people:
        return
    photos = {row.person_id: row for row in db.session.scalars(
        select(PersonPhoto).where(PersonPhoto.person_id.in_({p.id for p in people})))}
    for person in people:
        set_committed_value(person, "photo", photos.get(person.id))
