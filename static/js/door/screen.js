/* What door staff see and hear: the full-screen answer, a beep and a buzz, the recent
 * scans with their undo, the search matches, the network line.
 */
const RECENT = 10;

function $(id) { return document.getElementById(id); }

/** A translated text with its %(name)s placeholders filled in. */
export function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, k) => (values[k] == null ? "" : values[k]));
}

/** Counts written in ``language``: ``number(n)`` as that language writes it, and
 * ``words(forms, n)`` in the plural form it takes (``forms`` holds one per CLDR category,
 * from the server's catalogue; %(num)s is the number). */
export function counter(language) {
  let rules = null, digits = null;
  try { rules = new Intl.PluralRules(language); digits = new Intl.NumberFormat(language); }
  catch (e) { /* an old browser: the general form, plain digits */ }
  const number = (n) => (digits ? digits.format(n) : String(n));
  return {
    number,
    words(forms, n) { return fill((rules && forms[rules.select(n)]) || forms.other, { num: number(n) }); },
  };
}

/** The colour an answer shows: green let in, blue let out, else as the server's ScanResult
 * says (red for any refusal it does not name). The one place that decides it. */
export function colourOf(answer, colours) {
  if (answer.status === "ok") return answer.type === "exit" ? "exit" : "ok";
  return colours[answer.result] || "bad";
}
/** The attendee whose badge an answer may print (a guest let in), or null. */
export function printable(answer) {
  return answer.status === "ok" && answer.type === "entry" && answer.attendee ? answer.attendee.i : null;
}
const ICONS = { ok: "\u2714", exit: "\u2192", warn: "!", bad: "\u2716" };
const SVG = "http://www.w3.org/2000/svg";

/** "Ana García" → "AG": the first letter of the first two words (as checkin.faces.initials). */
export function initials(name) {
  const words = (name || "").split(/\s+/).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  return words.slice(0, 2).map((w) => w[0]).join("").toUpperCase() || "?";
}

/** A guest's initials on their colour, as an SVG. */
function initialsDrawing(person) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 100 100");
  svg.setAttribute("class", "face");
  const circle = document.createElementNS(SVG, "circle");
  [["cx", 50], ["cy", 50], ["r", 50], ["fill", person.c || "#4a4a4a"]].forEach(([k, v]) => circle.setAttribute(k, v));
  const text = document.createElementNS(SVG, "text");
  [["x", 50], ["y", 50], ["dy", ".35em"], ["text-anchor", "middle"], ["font-size", 40],
   ["font-weight", 700], ["fill", "#fff"]].forEach(([k, v]) => text.setAttribute(k, v));
  text.textContent = initials(person.n);
  svg.append(circle, text);
  return svg;
}

/** The word an answer shows. */
export function wordOf(answer, S) {
  if (answer.status === "ok") return answer.type === "exit" ? S.ok_exit : S.ok_entry;
  return S[answer.result] || answer.message || S.error;
}

export class Screen {
  /** ``config`` is the door's rules from the server; ``onUndo`` takes back an answer;
   * ``store`` keeps the recent scans (and so their Undo) across reloads. */
  constructor(S, config, tz, onUndo, store) {
    this.S = S;
    this.colours = config.colours;
    this.undoFor = config.undo_seconds * 1000;
    this.count = counter(config.language);
    this.tz = tz;
    this.faces = $("door").dataset.faces;  // where photos are served: + key + ".webp"
    this.onUndo = onUndo;
    this.store = store;
    this.recent = store.load("recent", []);
    this.current = null;
    this.hideTimer = null;
    this.audio = null;
    const unlock = () => this.unlockAudio();
    document.addEventListener("pointerdown", unlock, { once: true });
    document.addEventListener("keydown", unlock, { once: true });
    this.onNext = () => {};
    this.onPrint = () => {};  // prints a guest's badge, by attendee id
    this.printFor = null;
    $("result-next").addEventListener("click", () => { this.hide(); this.onNext(); });
    $("result-print").addEventListener("click", () => {
      if (this.printFor) this.onPrint(this.printFor);
    });
    $("result-undo").addEventListener("click", () => {
      if (this.current) this.onUndo(this.current);
      this.hide();
    });
  }

  clock(iso) {
    if (!iso) return "";
    const options = { hour: "2-digit", minute: "2-digit" };
    try { return new Date(iso).toLocaleTimeString([], Object.assign({ timeZone: this.tz }, options)); }
    catch (e) { return new Date(iso).toLocaleTimeString([], options); }
  }

  setNet(offline, pending) {
    $("net").textContent = offline ? this.S.offline : this.S.online;
    $("net").classList.toggle("off", offline);
    const p = $("pending");
    p.hidden = pending === 0;
    p.textContent = this.count.words(this.S.pending, pending);
  }

  // Browsers start sound only from a tap or a key: open it on the first one.
  unlockAudio() {
    try {
      this.audio = this.audio || new (window.AudioContext || window.webkitAudioContext)();
      if (this.audio.state === "suspended") this.audio.resume();
    } catch (e) { /* no sound on this device */ }
  }

  beep(good) {
    try {
      if (this.audio) {
        (good ? [880] : [330, 0, 330]).forEach((hz, i) => {
          if (!hz) return;
          const osc = this.audio.createOscillator(), gain = this.audio.createGain();
          osc.frequency.value = hz;
          gain.gain.value = 0.2;
          osc.connect(gain); gain.connect(this.audio.destination);
          const at = this.audio.currentTime + i * 0.12;
          osc.start(at); osc.stop(at + 0.1);
        });
      }
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) navigator.vibrate(good ? 80 : [150, 80, 150]);
  }

  /** The full-screen answer; ``undo`` is the answer Undo takes back, ``printFor`` the
   * attendee whose badge Print badge prints (none when the server cannot be reached). */
  show(colour, word, person, detail, undo, printFor) {
    const box = $("result");
    box.className = "result result-" + colour;
    $("result-word").textContent = word;
    $("result-icon").textContent = ICONS[colour] || "";
    $("result-name").textContent = person ? person.n : "";
    this.drawFace(person);
    $("result-type").textContent = person ? (person.y || "") : "";
    $("result-note").textContent = person ? (person.a || "") : "";
    $("result-note").hidden = !(person && person.a);
    $("result-detail").textContent = detail || "";
    $("result-undo").hidden = !undo;
    $("result-print").hidden = !printFor;
    this.current = undo || null;
    this.printFor = printFor || null;
    box.dataset.shown = String(Number(box.dataset.shown || 0) + 1);  // tests count results
    box.hidden = false;
    const good = colour === "ok" || colour === "exit";
    this.beep(good);
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => this.hide(), good ? 2000 : 4000);
  }

  /** The guest's photo, so staff can match face and ticket; their initials without one, or
   * while offline when this device has not loaded it before (the browser keeps a photo a
   * year once seen). */
  drawFace(person) {
    const box = $("result-face");
    box.textContent = "";
    box.hidden = !person;
    if (!person) return;
    if (!person.f) { box.appendChild(initialsDrawing(person)); return; }
    const img = document.createElement("img");
    img.className = "face";
    img.alt = "";
    img.width = img.height = 160;
    img.addEventListener("error", () => { box.textContent = ""; box.appendChild(initialsDrawing(person)); });
    img.src = this.faces + person.f + ".webp";
    box.appendChild(img);
  }

  hide() { $("result").hidden = true; this.current = null; }

  /** A refusal that is not a scan's answer (signed out, an undo that failed). */
  refuse(word, person, detail) { this.show("bad", word, person, detail || ""); }

  showAnswer(a, offline) {
    const S = this.S, person = a.attendee, colour = colourOf(a, this.colours);
    let detail = "";
    if (a.result === "already_checked_in" || a.result === "duplicate") {
      const prev = a.previous || (person && { at: person.at, gate: person.g });
      if (prev && prev.at) {
        const time = this.clock(prev.at);
        detail = prev.gate ? fill(S.by_gate, { time, gate: prev.gate }) : fill(S.since, { time });
      }
    }
    if (offline) detail = (detail ? detail + " · " : "") + (person ? S.offline_saved : S.offline_unknown);
    const undoable = a.status === "ok" ? a : null;
    this.show(colour, wordOf(a, S), person, detail, undoable, !offline && printable(a));
    this.recent.unshift({ a, offline, at: Date.now() });
    this.recent = this.recent.slice(0, RECENT);
    this.drawRecent();
  }

  /** The server's answer to a scan this device decided offline replaces the device's. */
  reconcile(answer) {
    this.recent.forEach((r) => {
      if (r.a.nonce !== answer.nonce) return;
      r.offline = false;
      r.a.checkin_id = answer.checkin_id;
      if (answer.attendee) r.a.attendee = answer.attendee;
      r.a.status = answer.status;
      r.a.result = answer.result;
      r.a.message = answer.message;
    });
    this.drawRecent();
  }

  markUndone(nonce) {
    this.recent.forEach((r) => { if (r.a.nonce === nonce) r.undone = true; });
    this.drawRecent();
  }

  /** Checked in / expected, as the roster on this device counts them. */
  setHeadcount(counts) {
    $("headcount").textContent = fill(this.S.headcount, { in: this.count.number(counts.in),
                                                          expected: this.count.number(counts.expected) });
  }
  /** Signed out: this device keeps no names any more. */
  forgetRecent() {
    this.recent = [];
    this.store.remove("recent");
    this.drawRecent();
  }
  drawRecent() {
    this.store.save("recent", this.recent);
    const list = $("recent");
    list.textContent = "";
    this.recent.forEach((r) => {
      const li = document.createElement("li");
      li.className = "item recent-" + (r.undone ? "warn" : colourOf(r.a, this.colours));
      li.dataset.nonce = r.a.nonce || "";
      const text = document.createElement("span");
      const word = r.undone ? this.S.undone : wordOf(r.a, this.S);
      text.textContent = (r.a.attendee ? r.a.attendee.n : (r.a.code || "")) + " — " + word +
        (r.offline ? " (" + this.S.offline + ")" : "");
      li.appendChild(text);
      const actions = document.createElement("span");
      actions.className = "actions";
      const button = (name, word, act) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "button " + name;
        b.textContent = word;
        b.addEventListener("click", act);
        actions.appendChild(b);
      };
      const fresh = Date.now() - r.at < this.undoFor;
      if (r.a.status === "ok" && fresh && !r.undone) button("undo", this.S.undo, () => this.onUndo(r.a));
      const badge = !r.offline && !r.undone && printable(r.a);
      if (badge) button("print", this.S.print, () => this.onPrint(badge));
      li.appendChild(actions);
      list.appendChild(li);
    });
  }

  /** Search results; ``known`` is what this device knows of a person now; ``onPick`` scans one. */
  drawMatches(people, query, known, onPick) {
    const list = $("matches");
    list.textContent = "";
    if (query && !people.length) {
      const none = document.createElement("li");
      none.className = "item muted";
      none.textContent = this.S.no_matches;
      list.appendChild(none);
    }
    people.forEach((p) => {
      const now = known(p) || p;
      const li = document.createElement("li");
      li.className = "item match";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button match-button";
      button.dataset.attendee = p.i;
      const name = document.createElement("strong");
      name.textContent = p.n;
      const extra = document.createElement("span");
      extra.className = "muted";
      const where = now.in ? fill(this.S.inside, { time: this.clock(now.at) })
        : now.out ? fill(this.S.left, { time: this.clock(now.out) }) : "";
      extra.textContent = [p.y, where].filter(Boolean).join(" · ");
      button.appendChild(name);
      button.appendChild(extra);
      button.addEventListener("click", () => onPick(p));
      li.appendChild(button);
      list.appendChild(li);
    });
  }
}
