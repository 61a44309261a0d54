/* The roster this device keeps to decide offline: ids, card hashes (never card codes),
 * ticket codes, ticket URL hashes, names, ticket types, attention notes, who is in. Nothing else.
 */
import { cardHash } from "./codes.js";

const EMPTY = () => ({ attendees: [], synced_at: null, key: null });
const FIELDS = ["h", "t", "n", "y", "a", "in", "at", "g", "out", "u"];

/** Text as search compares it: no accents, no case, single spaces (as the server's fold). */
export function fold(text) {
  return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/\s+/g, " ").trim();
}

const ALNUM = /[\p{L}\p{N}]/u;

/** The terms a folded text is found by, as the server keeps them (checkin/people/search.py):
 * each word, and each word's rest from a letter or digit after punctuation ("tix-77" → "77"),
 * at most ``length`` characters each. */
export function searchTerms(text, length) {
  const terms = new Set();
  for (const word of text.split(" ").filter(Boolean).map((w) => Array.from(w))) {
    terms.add(word.slice(0, length).join(""));
    for (let i = 1; i < word.length; i++) {
      if (ALNUM.test(word[i]) && !ALNUM.test(word[i - 1])) {
        terms.add(word.slice(i, i + length).join(""));
      }
    }
  }
  return [...terms];
}

/** The words of a search as terms start: folded, leading punctuation dropped, no repeats. */
export function searchWords(query, rules) {
  const words = [];
  for (const folded of fold(query).split(" ").filter(Boolean)) {
    const chars = Array.from(folded), start = chars.findIndex((c) => ALNUM.test(c));
    const word = start < 0 ? null : chars.slice(start, start + rules.term_length).join("");
    if (word !== null && !words.includes(word)) words.push(word);
  }
  return words.slice(0, rules.max_words);
}

export class Roster {
  /** ``store`` keeps it across reloads; ``hashHex`` is how many hex digits a card hash has;
   * ``search``: the server's search rules (``term_length``, ``max_words``). */
  constructor(store, hashHex, search) {
    this.store = store;
    this.hashHex = hashHex;
    this.search = search;
    const kept = store.load("roster", null);
    this.data = kept && kept.key && kept.attendees ? kept : EMPTY();
    this.timer = null;
    this.index();
  }

  get syncedAt() { return this.data.synced_at; }

  index() {
    this.byId = new Map();
    this.byHash = new Map();
    this.byTicket = new Map();
    this.byTicketFolded = new Map();  // lower case: a typed code matches whatever its case
    this.byUrl = new Map();  // a hash of each ticket URL (Tito's), kept like the card's
    this.terms = [];
    this.folded = this.data.attendees.map((a) => {
      this.byId.set(a.i, a);
      this.byHash.set(a.h, (this.byHash.get(a.h) || []).concat([a]));
      if (a.u) this.byUrl.set(a.u, (this.byUrl.get(a.u) || []).concat([a]));
      if (a.t) {
        this.byTicket.set(a.t, a);
        const low = a.t.toLowerCase();
        this.byTicketFolded.set(low, (this.byTicketFolded.get(low) || []).concat([a]));
      }
      const folded = fold(a.n) + "\n" + fold(a.t || "");
      this.terms.push(searchTerms(folded.replace("\n", " "), this.search.term_length));
      return folded;
    });
  }

  /** The person a scanned value names ({card, ticket} from the code reader), or null;
   * a ticket code matches regardless of case when only one guest's does.
   * Two guests whose cards share a hash are both doubtful: null, checked by hand. */
  lookup(codes) {
    if (codes.card && this.data.key) {
      const found = this.byHash.get(cardHash(this.data.key, codes.card, this.hashHex)) || [];
      if (found.length === 1) return found[0];
    }
    if (codes.url && this.data.key) {
      const found = this.byUrl.get(cardHash(this.data.key, codes.url, this.hashHex)) || [];
      if (found.length === 1) return found[0];
    }
    const exact = this.byTicket.get(codes.ticket);
    if (exact) return exact;
    // Two codes differing only by case are both doubtful: checked by hand, as the server does.
    const folded = this.byTicketFolded.get((codes.ticket || "").toLowerCase()) || [];
    return folded.length === 1 ? folded[0] : null;
  }

  /** How many guests came in (and are not undone) of how many are expected. */
  counts() {
    let checked = 0;
    this.data.attendees.forEach((a) => { if (a.at) checked += 1; });
    return { in: checked, expected: this.data.attendees.length };
  }
  /** A full roster from the server replaces this one. */
  replace(data) {
    this.data = { attendees: data.attendees, synced_at: data.synced_at, key: data.key };
    this.index();
    this.saveNow();
  }

  /** The people that changed since the last sync, merged in. */
  update(data) {
    data.attendees.forEach((person) => this.merge(person));
    this.index();
    this.data.synced_at = data.synced_at;
    this.saveNow();
  }

  /** What a scan or an undo told about one person; true when new to this device. */
  merge(person) {
    const known = this.byId.get(person.i);
    if (known) {
      FIELDS.forEach((k) => { if (k in person) known[k] = person[k]; });
      return false;
    }
    if (!("h" in person)) return false;  // a partial row about someone never seen
    this.data.attendees.push(person);
    this.byId.set(person.i, person);
    return true;
  }

  remember(person) {
    if (!person || !person.i) return;
    if (this.merge(person)) this.index();
    this.saveSoon();
  }

  /** Offline search, as the server searches: every word typed starts a word of the guest's
   * name or ticket code (no emails on this device), in any order; sorted as the server sorts
   * (by folded name: "Álvaro" before "Zoe"). */
  matches(query, limit) {
    const words = searchWords(query, this.search), found = [];
    if (!words.length) return [];
    for (let i = 0; i < this.terms.length; i++) {
      const terms = this.terms[i];
      if (words.every((w) => terms.some((t) => t.startsWith(w)))) found.push(i);
    }
    const key = (i) => this.folded[i].slice(0, this.folded[i].indexOf("\n"));
    const byName = (x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1
      : this.data.attendees[x].i - this.data.attendees[y].i);
    return found.sort(byName).slice(0, limit).map((i) => this.data.attendees[i]);
  }

  /** Signed out: this device keeps no names any more. */
  clear() {
    this.store.remove("roster");
    this.data = EMPTY();
    this.index();
  }

  // The roster can hold ten thousand people: write it at most twice a second.
  saveSoon() {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = null; this.store.save("roster", this.data); }, 500);
  }

  saveNow() {
    clearTimeout(this.timer);
    this.timer = null;
    this.store.save("roster", this.data);
  }

  /** Before the page goes away: write what is pending. */
  flush() { if (this.timer) this.saveNow(); }
}
