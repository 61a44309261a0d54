"""Serving photos: at a URL made of the content's hash, cached for a year."""

import re

from flask import Blueprint, Response, abort, request, url_for

from checkin.faces.models import KEY_LENGTH, PersonPhoto
from checkin.faces.services import photo_by_key

bp = Blueprint("faces", __name__)

KEY = re.compile(f"[0-9a-f]{{{KEY_LENGTH}}}")
SIZES = {"webp": ("large", "image/webp"), "jpg": ("thumb", "image/jpeg")}
# The URL changes with the photo, so what was served never changes: a year, never revalidated.
# Private: a phone keeps it, no shared cache does, so a removed photo is gone from ours.
CACHE = "private, max-age=31536000, immutable"


def photo_url(photo: PersonPhoto | None, large: bool = False) -> str | None:
    """Where ``photo`` is served: the 512 px WebP (``large``) or the 192 px JPEG."""
    if photo is None:
        return None
    return url_for("faces.photo", key=photo.key, ext="webp" if large else "jpg")


@bp.get("/faces/<key>.<ext>")
def photo(key: str, ext: str):
    """A photo, to whoever holds its URL: only the pages that show its person's card (to
    those allowed to see it) ever print it, and its key (a hash of the photo and the person)
    cannot be guessed. A photo removed or replaced is no longer here."""
    if ext not in SIZES or not KEY.fullmatch(key):
        abort(404)
    row = photo_by_key(key)
    if row is None:
        abort(404)
    column, mimetype = SIZES[ext]
    response = Response(getattr(row, column), mimetype=mimetype)
    response.headers["Cache-Control"] = CACHE
    response.set_etag(key)
    return response.make_conditional(request)
