"""The card page's public part, rendered once per card and language and reused until the card
changes; the whole page a signed-in viewer sees, rendered once per everything it shows; and
the version of it a phone that already has the page can revalidate (ETag)."""

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from pathlib import Path

from flask import current_app, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from checkin.people.cards import public_card
from checkin.people.models import Attendee

ROOT = Path(__file__).resolve().parent.parent.parent
# Rendered public parts kept per app and process (a few KB each), in app.extensions. Keyed by
# their version, so an entry is never wrong, only unused once its card changes; two processes
# each keep their own.
KEPT_PUBLIC_PARTS = 2048
PUBLIC_PARTS = "checkin.public_parts"
# Whole pages as signed-in viewers see them (a few KB each), kept the same way: keyed by a
# digest of everything the page shows, read from the database in the request that asks.
KEPT_VIEWER_PAGES = 1024
VIEWER_PAGES = "checkin.card_viewer_pages"
# Where a kept page's forms carry their CSRF token: each request puts its own session's token
# in (a token is signed with the time it was minted). Random per process, so no text typed on
# a card or in a note can hold it.
TOKEN_SLOT = "csrf-" + secrets.token_hex(16)
_kept = threading.Lock()


def kept(name: str, version: str, limit: int, render: Callable[[], str]) -> str:
    """What ``render`` makes for ``version``, made once and kept in this process's
    ``app.extensions[name]``, at most ``limit`` entries (the least recently used go first)."""
    pages = current_app.extensions.setdefault(name, OrderedDict())
    with _kept:
        text = pages.get(version)
        if text is not None:
            pages.move_to_end(version)
            return text
    text = render()
    with _kept:
        pages[version] = text
        while len(pages) > limit:
            pages.popitem(last=False)
    return text


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
    # An autoescaped template's output: every value in it is already escaped.
    return kept(PUBLIC_PARTS, version, KEPT_PUBLIC_PARTS, lambda: Markup(  # noqa: S704
        render_template("connections/_public_card.html", card=card, event=card.event,
                        public=public_card(card.person))))


def viewer_page(version: str, part_version: str, **page) -> str:
    """The card page as a signed-in viewer sees it (``page``: what ``card.html`` reads but
    its public part, whose version is ``part_version``), rendered once per ``version``
    (:func:`page_version` of everything it shows), with this request's CSRF token in its
    forms (minted only if it has one)."""
    html = kept(VIEWER_PAGES, version, KEPT_VIEWER_PAGES, lambda: render_template(
        "connections/card.html", csrf_token=lambda: TOKEN_SLOT,
        public_part=public_part(page["card"], part_version), **page))
    return html.replace(TOKEN_SLOT, generate_csrf()) if TOKEN_SLOT in html else html


def page_version(public: str, *variant: str) -> str:
    """The version of a whole card page: its public part's version and what else differs
    between visitors (for one no one is signed in to: the page's own address, the other
    events they are signed in at; for a signed-in viewer, see the card view)."""
    return hashlib.sha256("\x1f".join((public, *variant)).encode()).hexdigest()[:32]
