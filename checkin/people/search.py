"""Door and dashboard search: each word typed is the start of a word of the guest's search key.

An attendee's search key (folded name, email, company, ticket and card code) is kept as
terms, one row per word (``SearchTerm``), so a search is a range scan of the
(event_id, term) index, the same on SQLite and PostgreSQL: it reads the guests it finds,
not every guest of the event. A word is also a term from each letter after a punctuation
mark in it, so "example" finds an address at example.com and "77" the ticket "tix-77".

Written through the ORM, an attendee's terms follow their search key in the same flush (the
listener below); a bulk write that skips the ORM (the import's swap, a benchmark's seeding)
calls ``index_search_terms``.
"""

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    event,
    exists,
    false,
    insert,
    inspect,
    select,
)
from sqlalchemy.orm import Session

from checkin.extensions import db
from checkin.people.models import SEARCH_TERM_LENGTH, Attendee, SearchTerm
from checkin.text import clean_text, fold

MAX_WORDS = 8
# Above every character a term can hold: "ana" <= term < "ana" + this is every term starting
# with "ana", in a byte-wise order (SQLite's, and the "C" collation of the column on PostgreSQL).
_AFTER_EVERY_TERM = "\U0010ffff"
_BATCH = 1000


def search_terms(search_key: str) -> set[str]:
    """The terms a search key is found by: "ana.p@example.com tix-77" →
    {"ana.p@example.com", "p@example.com", "example.com", "com", "tix-77", "77"}."""
    terms = set()
    for word in search_key.split():
        terms.add(word[:SEARCH_TERM_LENGTH])
        for i in range(1, len(word)):
            if word[i].isalnum() and not word[i - 1].isalnum():
                terms.add(word[i:i + SEARCH_TERM_LENGTH])
    return terms


def search_words(query: str) -> list[str]:
    """The words of a search as terms start: folded, leading punctuation dropped."""
    words = []
    for word in fold(query).split():
        start = next((i for i, c in enumerate(word) if c.isalnum()), None)
        if start is not None and (word := word[start:start + SEARCH_TERM_LENGTH]) not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _starts(word: str) -> ColumnElement:
    return and_(SearchTerm.term >= word, SearchTerm.term < word + _AFTER_EVERY_TERM)


def matching(event_id: int, query: str) -> ColumnElement:
    """The condition on ``Attendee`` of the guests of ``event_id`` found by ``query``: every
    word of it starts a word of their name, email, company or ticket code, accents and case
    forgiven, in any order. Nothing matches a query without a letter or digit.

    One word picks the candidates from the index: the one likeliest to be rare, a word with a
    digit (a ticket code, a number in an address) else the longest; each other word is then
    looked up for those candidates only, by the primary key. The condition names the event's
    guests by itself: given beside ``Attendee.event_id == …``, SQLite would rather walk the
    event's guests by that index than read the few the terms name.
    """
    words = search_words(query)
    if not words:
        return false()
    rarest = max(words, key=lambda word: (any(c.isdigit() for c in word), len(word)))
    found = Attendee.id.in_(select(SearchTerm.attendee_id).where(
        SearchTerm.event_id == event_id, _starts(rarest)))
    others = [exists().where(SearchTerm.attendee_id == Attendee.id, _starts(word))
              for word in words if word != rarest]
    return and_(found, *others)


def _term_rows(rows) -> list[dict]:
    """The term rows of (attendee id, event id, search key) rows, from each key as stored
    (the column cleans what it is given: no control characters, no bidi overrides)."""
    return [{"attendee_id": attendee_id, "event_id": event_id, "term": term}
            for attendee_id, event_id, key in rows
            for term in search_terms(clean_text(key or "", single_line=True))]


def index_search_terms(*where: ColumnElement) -> None:
    """Write again the terms of the attendees matching ``where`` from their search keys, after
    a bulk write that skipped the ORM. Flushes nothing, commits nothing."""
    found = db.session.execute(select(Attendee.id, Attendee.event_id, Attendee.search_key)
                               .where(*where).order_by(Attendee.id)).all()
    for start in range(0, len(found), _BATCH):
        batch = found[start:start + _BATCH]
        db.session.execute(delete(SearchTerm).where(
            SearchTerm.attendee_id.in_([row[0] for row in batch])))
        rows = _term_rows(batch)
        if rows:
            db.session.execute(insert(SearchTerm), rows)


@event.listens_for(Session, "after_flush")
def _terms_follow_search_keys(session: Session, _context) -> None:
    """The terms of every attendee whose search key this flush wrote, in the same transaction."""
    changed = [obj for obj in (*session.new, *session.dirty)
               if isinstance(obj, Attendee) and inspect(obj).attrs.search_key.history.added]
    if not changed:
        return
    connection = session.connection()
    known = [obj.id for obj in changed if obj not in session.new]
    if known:
        connection.execute(delete(SearchTerm).where(SearchTerm.attendee_id.in_(known)))
    rows = _term_rows((obj.id, obj.event_id, obj.search_key) for obj in changed)
    if rows:
        connection.execute(insert(SearchTerm), rows)
