"""People someone did not meet but should: one's offer matches the other's need.

Works on Spanish and English text alike: words are folded (no accents, no
case), stop words dropped, and each word stands for both its Spanish and its
English Snowball stem, so "contabilidad"/"Contabilidad" and "shops"/"shop"
meet. Rare shared words weigh more than common ones (inverse document
frequency), so "clients" alone does not make a match.
"""

import heapq
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from sqlalchemy import select

from checkin.extensions import db
from checkin.people.models import Attendee, Person
from checkin.text import fold

MAX_SUGGESTIONS = 3
MIN_WORD = 3
_WORD = re.compile(r"[a-z0-9ñ]+")
_STEMMERS = (snowballstemmer.stemmer("spanish"), snowballstemmer.stemmer("english"))

STOP_WORDS = frozenset(fold(w) for w in """
a al algo alguien algun alguna algunas alguno algunos ante antes aqui asi aun con contra cual
cuando de del desde donde durante el ella ellas ellos en entre era es esa esas ese eso esos
esta estas este esto estos fue ha hacer hago han hay la las le les lo los mas me mi mis mucho
muy nada ni no nos nuestra nuestro o otra otro otros para pero poco por que quien se sea ser
si sin sobre son su sus tambien tengo tiene todo todos tu tus un una uno unos y ya yo busco
ofrezco necesito quiero gente personas tipo cosas nuevo nueva nuevos nuevas buen buena bueno
about after all also an and any are as at be been but by can do does for from get had has have
help how i if in into is it its just looking me more my need needs new no not of offer offers
on one or our out people some such than that the their them they this to up us we what when
who will with you your want wants someone something things thing good great small big work
""".split())  # noqa: SIM905


@lru_cache(maxsize=50_000)
def stems_of(word: str) -> frozenset[str]:
    return frozenset(stemmer.stemWord(word) for stemmer in _STEMMERS)


def keywords(text: str) -> dict[str, str]:
    """{stem: the word as written (folded)} for every meaningful word of ``text``."""
    found: dict[str, str] = {}
    for word in _WORD.findall(fold(text)):
        if len(word) < MIN_WORD or word in STOP_WORDS or word.isdigit():
            continue
        for stem in stems_of(word):
            found.setdefault(stem, word)
    return found


@dataclass(frozen=True)
class Candidate:
    attendee_id: int
    name: str
    headline: str
    company: str
    offer: str
    need: str
    what_i_do: str = ""
    person_id: int = 0


def candidate_columns() -> tuple:
    """The columns a ``Candidate`` is made of, in its order (attendees joined to people)."""
    return (Attendee.id, Person.display_name, Person.headline, Person.company, Person.offer,
            Person.need, Person.what_i_do, Person.id)


@dataclass(frozen=True)
class Suggestion:
    """``direction`` is "offer" (they offer what I need) or "need" (they need what I offer)."""

    candidate: Candidate
    direction: str
    their_text: str
    my_text: str
    words: tuple[str, ...]
    score: float


def _best_first(item: tuple[int, tuple]) -> tuple[float, int]:
    """(attendee id, (score, …)) in order: the highest score first, ties the earliest id."""
    return -item[1][0], item[0]


class SuggestionIndex:
    """The suggestible people of one event, indexed by the stems of their offers and needs.

    Built once per sending run (memory grows with attendees, never with emails)
    and asked once per recipient. During the event one is kept up to date person by person
    (``add``, ``discard``: checkin.meet.live), never rebuilt per page.
    """

    def __init__(self, candidates: list[Candidate]):
        self.candidates: dict[int, Candidate] = {}
        self.offers: dict[str, set[int]] = defaultdict(set)
        self.needs: dict[str, set[int]] = defaultdict(set)
        for c in candidates:
            self.add(c)

    @property
    def size(self) -> int:
        return max(1, len(self.candidates))

    def add(self, candidate: Candidate) -> None:
        """Index ``candidate`` (replacing what their card said before); someone with neither
        an offer nor a need has nothing to match and is left out."""
        self.discard(candidate.attendee_id)
        if not (candidate.offer or candidate.need):
            return
        self.candidates[candidate.attendee_id] = candidate
        for stem in keywords(candidate.offer):
            self.offers[stem].add(candidate.attendee_id)
        for stem in keywords(candidate.need):
            self.needs[stem].add(candidate.attendee_id)

    def discard(self, attendee_id: int) -> None:
        """Take someone out of the index (they left the suggestible, or their card changed)."""
        old = self.candidates.pop(attendee_id, None)
        if old is None:
            return
        for postings, text in ((self.offers, old.offer), (self.needs, old.need)):
            for stem in keywords(text):
                ids = postings.get(stem)
                if ids is not None:
                    ids.discard(attendee_id)
                    if not ids:
                        del postings[stem]

    @classmethod
    def for_event(cls, event_id: int) -> "SuggestionIndex":
        """Everyone who checked in and lets themself be suggested."""
        rows = db.session.execute(
            select(*candidate_columns())
            .join(Person, Person.id == Attendee.person_id)
            .where(Attendee.event_id == event_id, Attendee.checked_in_at.is_not(None),
                   Person.suggestible.is_(True))
            .order_by(Attendee.id)
        ).all()
        return cls([Candidate(*row) for row in rows])

    def _weight(self, postings: dict[str, set[int]], stem: str) -> float:
        return math.log(1 + self.size / len(postings[stem]))

    def _matches(self, my_text: str, postings, exclude: set[int]) -> dict[int, tuple]:
        mine = keywords(my_text)
        scores: dict[int, float] = defaultdict(float)
        words: dict[int, list[str]] = defaultdict(list)
        for stem, word in mine.items():
            if stem not in postings:
                continue
            weight = self._weight(postings, stem)
            for attendee_id in postings[stem]:
                if attendee_id in exclude:
                    continue
                if word not in words[attendee_id]:
                    words[attendee_id].append(word)
                    scores[attendee_id] += weight
        return {a: (scores[a], tuple(words[a])) for a in scores}

    def suggest(self, me_id: int, my_offer: str, my_need: str, met: set[int],
                limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """The best ``limit`` people for me, not me and not anyone I met, best first."""
        return self.ranked(me_id, my_offer, my_need, met, limit)

    def ranked(self, me_id: int, my_offer: str, my_need: str, exclude: set[int],
               limit: int | None = None) -> list[Suggestion]:
        """Everyone whose offer meets my need or whose need meets my offer, best first (the
        best ``limit`` of them); not me and nobody in ``exclude``. The work grows with the
        people sharing a word with me."""
        exclude = set(exclude) | {me_id}
        found: dict[int, tuple] = {}
        for direction, my_text, postings in (("offer", my_need, self.offers),
                                             ("need", my_offer, self.needs)):
            for attendee_id, (score, words) in self._matches(my_text, postings, exclude).items():
                best = found.get(attendee_id)
                if best is None or score > best[0]:
                    found[attendee_id] = (score, direction, my_text, words)
        best = (sorted(found.items(), key=_best_first) if limit is None
                else heapq.nsmallest(limit, found.items(), key=_best_first))
        suggestions = []
        for attendee_id, (score, direction, my_text, words) in best:
            candidate = self.candidates[attendee_id]
            their_text = candidate.offer if direction == "offer" else candidate.need
            suggestions.append(Suggestion(candidate, direction, their_text, my_text, words,
                                          score))
        return suggestions
