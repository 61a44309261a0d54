"""The card page's public part, rendered once per card and language and reused until the card
changes, and the version of it a phone that already has the page can revalidate (ETag)."""

import hashlib
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup

from checkin.people.cards import public_card
from checkin.people.models import Attendee

ROOT = Path(__file__).resolve().parent.parent.parent
# Rendered public parts kept per app and process (a few KB each), in app.extensions. Keyed by
# their version, so an entry is never wrong, only unused once its card changes; two processes
# each keep their own.
KEPT_PUBLIC_PARTS = 2048
PUBLIC_PARTS = "checkin.public_parts"
_kept = threading.Lock()


@cache
def build_digest() -> str:
    """A digest of what turns data into a page (templates, code, catalogues): a deploy that
    changes any of them changes every version below, so no phone keeps an old page."""
    digest = hashlib.sha256()
    for pattern in ("templates/**/*.html", "checkin/**/*.py", "checkin/**/*.mo"):
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def public_version(card: Attendee, language: str) -> str:
    """A digest of everything the public part of ``card`` shows in ``language``: its person's
    public fields and photo, the event's name, state and whether it takes walk-ins."""
    person, event = card.person, card.event
    photo = person.photo
    parts = (build_digest(), language, card.id, card.card_code, person.id,
             *public_card(person).values(), photo.key if photo else "",
             event.id, event.slug, event.name, event.state, event.walk_ins_allowed)
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def public_part(card: Attendee, version: str) -> Markup:
    """The card's public part as HTML (its face, name, role, event and what they do, offer
    and need), rendered once per ``version`` (:func:`public_version`)."""
    kept = current_app.extensions.setdefault(PUBLIC_PARTS, OrderedDict())
    with _kept:
        html = kept.get(version)
        if html is not None:
            kept.move_to_end(version)
            return html
    # An autoescaped template's output: every value in it is already escaped.
    html = Markup(render_template("connections/_public_card.html", card=card,  # noqa: S704
                                  event=card.event, public=public_card(card.person)))
    with _kept:
        kept[version] = html
        while len(kept) > KEPT_PUBLIC_PARTS:
            kept.popitem(last=False)
    return html


def page_version(public: str, *variant: str) -> str:
    """The version of a whole card page no one is signed in to: its public part's version and
    what else differs between visitors (the page's own address, the other events they are
    signed in at)."""
    return hashlib.sha256("\x1f".join((public, *variant)).encode()).hexdigest()[:32]
