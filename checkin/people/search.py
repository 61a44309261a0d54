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

from functools import cache

from sqlalchemy import (
    ColumnElement,
    and_,
    any_,
    bindparam,
    delete,
    event,
    exists,
    false,
    func,
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


def _condition(words: int, values: dict | None = None, dialect: str = "") -> ColumnElement:
    """The condition of ``found_by``, its values bound later (``values`` None) or now."""
    def bound(name: str):
        return bindparam(name) if values is None else bindparam(name, values[name])

    def starts(word: int) -> ColumnElement:
        return and_(SearchTerm.term >= bound(f"from_{word}"),
                    SearchTerm.term < bound(f"to_{word}"))

    candidates = select(SearchTerm.attendee_id).where(
        SearchTerm.event_id == bound("event_id"), starts(0))
    if dialect == "postgresql":
        # The candidates as an array the guests are read from by their primary key, whatever
        # the words (see found_by).
        found = Attendee.id == any_(func.array(candidates.scalar_subquery()))
    else:
        found = Attendee.id.in_(candidates)
    others = [exists().where(SearchTerm.attendee_id == Attendee.id, starts(word))
              for word in range(1, words)]
    return and_(found, *others)


@cache
def found_by(words: int, dialect: str = "") -> ColumnElement:
    """The condition on ``Attendee`` of the guests of the event bound as ``event_id`` found by
    a search of ``words`` words, bound as ``search_values`` gives them: every word starts a
    word of their name, email, company or ticket code. Built once per number of words
    (building it cost more than running it).

    The first word picks the candidates from the index (``search_values`` puts first the one
    likeliest to be rare); each other word is then looked up for those candidates only, by the
    primary key. The condition names the event's guests by itself: given beside
    ``Attendee.event_id == …``, SQLite would rather walk the event's guests by that index
    than read the few the terms name.

    On PostgreSQL (``dialect``) the candidates are ``= ANY (ARRAY(…))`` rather than ``IN
    (…)``. The statement is prepared, and run with whatever plan PostgreSQL keeps for it: with
    ``IN``, the plan kept without the words (a range of unknown width, guessed at 250 of the
    event's 50,000 terms) read every guest of the event and hashed them, 1.3 ms for ten found
    among 10,000, so once the tables were analysed PostgreSQL planned the statement again at
    every search instead (0.55 ms of planning for 0.1 of reading). With the array the plan
    cannot join the guests any other way, so the one kept reads the candidates by key, planned
    once: about 0.65 → 0.1 ms of the server's time per search.
    """
    return _condition(words, dialect=dialect)


def words_in(values: dict) -> int:
    """How many words the ``search_values`` of a search hold (``found_by``'s argument)."""
    return (len(values) - 1) // 2


def search_values(event_id: int, query: str) -> dict | None:
    """The values ``found_by(words_in(values))`` is run with for ``query`` at ``event_id``
    (accents and case forgiven, words in any order); None for a query without a letter or
    digit, which finds nobody. The word likeliest to be rare goes first: one with a digit (a
    ticket code, a number in an address), else the longest."""
    words = search_words(query)
    if not words:
        return None
    words.sort(key=lambda word: (any(c.isdigit() for c in word), len(word)), reverse=True)
    values = {"event_id": event_id}
    for i, word in enumerate(words):
        values[f"from_{i}"], values[f"to_{i}"] = word, word + _AFTER_EVERY_TERM
    return values


def matching(event_id: int, query: str) -> ColumnElement:
    """The condition on ``Attendee`` of the guests of ``event_id`` found by ``query`` (see
    ``found_by``), its values bound in; nothing matches a query without a letter or digit."""
    values = search_values(event_id, query)
    return false() if values is None else _condition(words_in(values), values)


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
