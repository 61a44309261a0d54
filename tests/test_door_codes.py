"""The door reads codes the same way on the server and on the device (one table for both)."""

import hashlib
import re
from pathlib import Path

import pytest

from checkin.door.codes import CARD_HASH_HEX, card_hash, codes_in, same_code, ticket_url_key
from checkin.door.pages import door_config
from checkin.people.search import search_terms, search_words
from checkin.text import fold

STATIC = Path(__file__).parent.parent / "static"

# (scanned, card code read, ticket code read): run by codes_in() and by codes.js.
CODE_CASES = [
    ("http://x/c/ABCDEFGH12", "ABCDEFGH12", "http://x/c/ABCDEFGH12"),
    ("HTTP://LOCALHOST/C/abcdefgh12", "ABCDEFGH12", "HTTP://LOCALHOST/C/abcdefgh12"),
    ("https://checkin.example/c/abcdefgh12?utm=1", "ABCDEFGH12",
     "https://checkin.example/c/abcdefgh12?utm=1"),
    ("https://checkin.example/c/abcdefgh12/", "ABCDEFGH12", "https://checkin.example/c/abcdefgh12/"),
    ("abcdefgh12", "ABCDEFGH12", "abcdefgh12"),
    ("  abcd-efgh 12 ", "ABCDEFGH12", "abcd-efgh 12"),
    ("abcd\tefgh12", "ABCDEFGH12", "abcd\tefgh12"),
    ("oilOIL0123", "0110110123", "oilOIL0123"),
    ("ABCDEFGH1U", None, "ABCDEFGH1U"),
    ("ABCDEFGH123", None, "ABCDEFGH123"),
    ("https://lu.ma/check-in/e?pk=g-1", None, "g-1"),
    ("https://lu.ma/check-in/e?pk=&pk=g-2", None, "g-2"),
    ("https://lu.ma/check-in/e?pk=abcdefgh12", "ABCDEFGH12", "abcdefgh12"),
    ("https://lu.ma/check-in/e?x=1", None, "https://lu.ma/check-in/e?x=1"),
    ("http:/x/c/ABCDEFGH12", None, "http:/x/c/ABCDEFGH12"),
    ("1234567890123", None, "1234567890123"),
    ("EB-12345", None, "EB-12345"),
    ("hx2kq8m4d7tzbz3r9yvpwqeoum6h5sfa", None, "hx2kq8m4d7tzbz3r9yvpwqeoum6h5sfa"),
    ("Ñandú-1", None, "Ñandú-1"),
    ("", None, ""),
]
# (scanned, the ticket URL as the door matches it): run by ticket_url_key() and codes.js.
URL_CASES = [
    ("https://ti.to/tickets/ti_p8XbKw2Q", "ti.to/tickets/ti_p8XbKw2Q"),
    ("HTTPS://TI.TO/tickets/ti_p8XbKw2Q/", "ti.to/tickets/ti_p8XbKw2Q"),
    ("http://ti.to/tickets/ti_p8XbKw2Q?utm_source=x#top", "ti.to/tickets/ti_p8XbKw2Q"),
    ("  https://ti.to/tickets/abcd1 ", "ti.to/tickets/abcd1"),
    ("https://ti.to/", None),
    ("http://x/c/ABCDEFGH12", None),  # our card: a card, not a ticket URL
    ("QXLM-1", None),
    ("ti.to/tickets/ti_p8XbKw2Q", None),
    ("", None),
]
HASH_INPUTS = ["", "abc", "k" * 55, "k" * 56, "k" * 63, "k" * 64, "k" * 65, "k" * 120,
               "ñ€😀 door", "0123456789abcdef0123456789abcdef:ABCDEFGH12"]


@pytest.mark.parametrize("scanned, card, ticket", CODE_CASES)
def test_codes_in_reads_every_shape(scanned, card, ticket):
    assert codes_in(scanned) == (card, ticket)


@pytest.mark.parametrize("scanned, url", URL_CASES)
def test_ticket_url_key_reads_a_ticket_url_as_host_and_path(scanned, url):
    assert ticket_url_key(scanned) == url


def test_a_card_url_and_its_bare_code_are_the_same_code():
    assert same_code("http://x/c/abcdefgh12", "ABCD-EFGH12")
    assert not same_code("ABCDEFGH12", "ABCDEFGH13")
    assert same_code("EB-1", "EB-1") and not same_code("EB-1", "EB-2")


def test_a_card_hash_is_keyed_and_short():
    assert card_hash("k1", "ABCDEFGH12") != card_hash("k2", "ABCDEFGH12")
    assert len(card_hash("k1", "ABCDEFGH12")) == CARD_HASH_HEX


def _imported_modules(name: str, seen: set[str]) -> set[str]:
    seen.add(name)
    text = (STATIC / "js" / "door" / name).read_text()
    for imported in re.findall(r'^import[^"]*"\./([\w-]+\.js)";', text, flags=re.M):
        if imported not in seen:
            _imported_modules(imported, seen)
    return seen


def test_the_service_worker_keeps_every_module_the_door_page_imports():
    imported = {f"js/door/{name}" for name in _imported_modules("main.js", set())}
    worker = (STATIC / "door-sw.js").read_text()
    kept = set(re.findall(r'"(js/door/[\w-]+\.js)"', worker))
    assert imported == kept
    assert imported >= {"js/door/main.js", "js/door/codes.js", "js/door/roster.js",
                        "js/door/queue.js", "js/door/screen.js"}
    # No module left unused: each is the door page's or the kiosk's (which works online
    # only, so the worker keeps none of its own).
    used = _imported_modules("main.js", set()) | _imported_modules("kiosk.js", set())
    assert {p.name for p in (STATIC / "js" / "door").glob("*.js")} == used


@pytest.mark.browser
def test_the_device_reads_codes_and_hashes_cards_as_the_server_does(page, live_server):
    page.goto(f"{live_server.url}/console/login")
    read = page.evaluate(
        """([spec, inputs, hashed, key, hex, urls]) => Promise.all([
             import("/static/js/door/codes.js"), import("/static/js/door/sha256.js")])
           .then(([codes, sha]) => {
             const codesIn = codes.codeReader(spec);
             return {
               codes: inputs.map((i) => { const r = codesIn(i); return [r.card, r.ticket]; }),
               urls: urls.map((i) => codesIn(i).url),
               sha: hashed.map(sha.sha256Hex),
               card: codes.cardHash(key, "ABCDEFGH12", hex),
             };
           })""",
        [door_config()["card"], [c[0] for c in CODE_CASES], HASH_INPUTS, "key-1", CARD_HASH_HEX,
         [c[0] for c in URL_CASES]])
    assert [tuple(r) for r in read["codes"]] == [(card, ticket) for _, card, ticket in CODE_CASES]
    assert read["sha"] == [hashlib.sha256(text.encode()).hexdigest() for text in HASH_INPUTS]
    assert read["card"] == card_hash("key-1", "ABCDEFGH12")
    assert read["urls"] == [url for _, url in URL_CASES]


@pytest.mark.browser
def test_two_cards_sharing_a_hash_are_checked_by_hand(page, live_server):
    """32 bits of hash: about one event in a hundred of 10,000 guests has such a pair."""
    page.goto(f"{live_server.url}/console/login")
    h = card_hash("k", "ABCDEFGH12")
    found = page.evaluate(
        """([h]) => import("/static/js/door/roster.js").then(({ Roster }) => {
             const store = { load: () => ({ key: "k", synced_at: "x", attendees: [
               { i: 1, h, t: "T-1", n: "Ana" }, { i: 2, h, t: "", n: "Eva" },
               { i: 3, h: "00000000", t: "", n: "Luis" }] }), save() {}, remove() {} };
             const roster = new Roster(store, 8, { term_length: 64, max_words: 8 });
             const name = (p) => (p ? p.n : null);
             return [name(roster.lookup({ card: "ABCDEFGH12", ticket: "ABCDEFGH12" })),
                     name(roster.lookup({ card: "ABCDEFGH12", ticket: "T-1" }))];
           })""", [h])
    assert found == [None, "Ana"]


# (guests as (name, ticket), a search, the names it finds): offline on the device as the
# server finds them, every word typed the start of a word of the name or ticket code.
GUESTS = [("Ana García", "TIX-77"), ("Mariana Ruiz", "TIX-78"), ("José Ángel Núñez", ""),
          ("Zoë O'Brien", "eb-1234"), ("Luis Anaya", "A-2")]
SEARCH_CASES = [
    ("ana", ["Ana García", "Luis Anaya"]),  # not "Mariana": "ana" starts no word of hers
    ("ANA garc", ["Ana García"]),
    ("garcia ana", ["Ana García"]),
    ("nunez jose", ["José Ángel Núñez"]),
    ("angel", ["José Ángel Núñez"]),
    ("77", ["Ana García"]),  # a ticket's number after its dash
    ("tix", ["Ana García", "Mariana Ruiz"]),
    ("brien", ["Zoë O'Brien"]),
    ("zoe", ["Zoë O'Brien"]),
    ("-ruiz", ["Mariana Ruiz"]),  # leading punctuation dropped
    ("riana", []),
    ("!!", []),
    ("", []),
]


def _server_finds(query):
    words = search_words(query)
    found = [name for name, ticket in GUESTS
             if words and all(any(t.startswith(w) for t in search_terms(fold(f"{name} {ticket}")))
                              for w in words)]
    return sorted(found, key=fold)


@pytest.mark.parametrize("query, names", SEARCH_CASES)
def test_the_cases_are_the_servers_search_rule(query, names):
    assert _server_finds(query) == names


@pytest.mark.browser
def test_an_offline_search_finds_whom_the_server_finds(page, live_server):
    page.goto(f"{live_server.url}/console/login")
    found = page.evaluate(
        """([guests, queries, search]) => import("/static/js/door/roster.js")
           .then(({ Roster }) => {
             const attendees = guests.map(([n, t], i) => ({ i: i + 1, h: "0", t, n }));
             const store = { load: () => ({ key: "k", synced_at: "x", attendees }),
                             save() {}, remove() {} };
             const roster = new Roster(store, 8, search);
             return queries.map((q) => roster.matches(q, 10).map((p) => p.n));
           })""",
        [GUESTS, [q for q, _ in SEARCH_CASES], door_config()["search"]])
    assert found == [names for _, names in SEARCH_CASES]
