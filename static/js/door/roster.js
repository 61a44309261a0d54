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

export class Roster {
  /** ``store`` keeps it across reloads; ``hashHex`` is how many hex digits a card hash has. */
  constructor(store, hashHex) {
    this.store = store;
    this.hashHex = hashHex;
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
    this.folded = this.data.attendees.map((a) => {
      this.byId.set(a.i, a);
      this.byHash.set(a.h, (this.byHash.get(a.h) || []).concat([a]));
      if (a.u) this.byUrl.set(a.u, (this.byUrl.get(a.u) || []).concat([a]));
      if (a.t) {
        this.byTicket.set(a.t, a);
        const low = a.t.toLowerCase();
        this.byTicketFolded.set(low, (this.byTicketFolded.get(low) || []).concat([a]));
      }
      return fold(a.n) + "\n" + fold(a.t || "");
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

  /** Offline search: by name or ticket code (no emails on this device), sorted as the
   * server sorts (by folded name: "Álvaro" before "Zoe"). */
  matches(query, limit) {
    const f = fold(query), found = [];
    for (let i = 0; i < this.folded.length; i++) {
      if (this.folded[i].indexOf(f) >= 0) found.push(i);
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
