/* The door page: scan, type or search, check in; keeps working offline.
 *
 * Online, the server decides every scan. When it cannot be reached, the page decides
 * from the roster kept on this device, queues the scan and uploads the queue by itself
 * when the network returns (see queue.js). The door's rules (how a card code looks,
 * the undo window, each answer's colour) come from the server as data.
 */
import { codeReader, oncePerView } from "./codes.js";
import { newNonce, Queue, Server, Store } from "./queue.js";
import { printBadgeFrame } from "./print.js";
import { Roster } from "./roster.js";
import { printable, Screen } from "./screen.js";

// After a result the code just read is held: the camera sees it many times a second, and
// the person it let in may still stand there. It is read again once the volunteer taps Next,
// or once it has been out of view this long; any other code is read at once.
const LEFT_VIEW = 1000;
const FULL_EVERY = 10 * 60 * 1000;  // the whole roster every ten minutes; changes in between
const OVERLAP = 60 * 1000;
const SEARCH_LIMIT = 20;
// A device clock this far from the server's is wrong (a phone set to 1970, or a year off):
// its scans are then timed by the server's clock, as last seen. Closer, the device's own
// clock is trusted (it orders offline scans from two doors better than a round trip can).
const CLOCK_OFF = 60 * 1000;

function $(id) { return document.getElementById(id); }
function json(id) { return JSON.parse($(id).textContent); }

function start(root) {
  const S = json("door-strings"), config = json("door-config");
  const codesIn = codeReader(config.card);
  const store = new Store(root.dataset.slug);
  const queue = new Queue(store);
  const roster = new Roster(store, config.card_hash_hex, config.search);
  const screen = new Screen(S, config, root.dataset.tz, undo, store);
  const setNet = () => {
    screen.setNet(server.offline, queue.length);
    screen.setHeadcount(roster.counts());
  };
  const server = new Server(root.dataset.api, root.dataset.csrf, {
    onChange: setNet,
    onSignedOut() { screen.refuse(S.signed_out, null); roster.clear(); screen.forgetRecent(); },
  });
  let lastFull = 0, clockOffset = store.load("clock", 0);

  // --- this device: its id and its gate ------------------------------------------------------
  let device = localStorage.getItem("checkin.door.device");
  if (!device) { device = "dev-" + newNonce().slice(0, 8); localStorage.setItem("checkin.door.device", device); }
  const gateInput = $("gate");
  gateInput.value = localStorage.getItem("checkin.door.gate") || "";
  gateInput.addEventListener("change", () => localStorage.setItem("checkin.door.gate", gateInput.value.trim()));
  // Entry or exit, kept on this device: a reload never turns an exit door into an entry one.
  const kind = () => ($("kind-exit").checked ? "exit" : "entry");
  function showKind() {
    root.dataset.kind = kind();
    document.body.classList.toggle("door-exit", kind() === "exit");
    $("mode-banner").textContent = kind() === "exit" ? S.mode_exit : S.mode_entry;
  }
  $("kind-" + (localStorage.getItem("checkin.door.kind") === "exit" ? "exit" : "entry")).checked = true;
  document.querySelectorAll("input[name=kind]").forEach((input) => input.addEventListener("change", () => {
    localStorage.setItem("checkin.door.kind", kind());
    showKind();
  }));
  showKind();
  // Print a badge at each entry: a setting of this device (the one next to a printer).
  const autoprint = $("autoprint");
  autoprint.checked = localStorage.getItem("checkin.door.autoprint") === "1";
  autoprint.addEventListener("change", () => localStorage.setItem("checkin.door.autoprint",
                                                                  autoprint.checked ? "1" : "0"));

  function syncRoster() {
    if (queue.length || server.offline) return Promise.resolve();
    const full = !roster.syncedAt || Date.now() - lastFull > FULL_EVERY;
    let path = "/roster";
    if (!full) path += "?since=" + encodeURIComponent(new Date(Date.parse(roster.syncedAt) - OVERLAP).toISOString());
    return server.request("GET", path).then((r) => {
      if (r.status !== 200) return;
      const skew = Date.parse(r.data.synced_at) - Date.now();
      clockOffset = Math.abs(skew) > CLOCK_OFF ? skew : 0;
      store.save("clock", clockOffset);
      if (queue.length) return;
      if (r.data.full) {
        roster.replace(r.data);
        lastFull = Date.now();
      } else if (r.data.key !== roster.data.key) {
        lastFull = 0;  // the event's card key changed: the next sync takes everything
        return;
      } else {
        roster.update(r.data);
      }
      root.dataset.synced = roster.syncedAt;
      setNet();
    }).catch(() => { /* stays offline; the kept roster decides */ });
  }

  // --- one scan: ask the server, or decide here when it cannot be reached --------------------
  function scan(fields) {
    const item = Object.assign({ code: "", type: kind(), nonce: newNonce(),
                                 scanned_at: new Date(Date.now() + clockOffset).toISOString(), gate: gateInput.value.trim(),
                                 device }, fields);
    if (server.offline) { decideHere(item); return; }
    server.request("POST", "/scans", item).then((r) => {
      if (r.data && r.data.nonce) {
        roster.remember(r.data.attendee);
        screen.showAnswer(r.data, false);
        setNet();
        // Printed once per entry: a repeat of this device's own scan is not a new arrival.
        if (autoprint.checked && !r.data.replayed && printable(r.data)) printBadge(printable(r.data));
      } else if (r.status !== 401) {
        const error = (r.data && r.data.error) || {};
        screen.refuse(S[error.code] || error.message || S.error, null);
      }
    }).catch(() => decideHere(item));
  }
  function scanCode(text) {
    const code = (text || "").trim();
    if (code) scan({ code });
  }

  function decideHere(item) {
    queue.push(item);
    setNet();
    const person = item.attendee ? roster.byId.get(item.attendee) : roster.lookup(codesIn(item.code));
    const answer = { status: "error", result: "unknown_code", type: item.type, nonce: item.nonce,
                     code: item.code, attendee: person ? Object.assign({}, person) : null };
    if (person && item.type === "entry") {
      if (person.in) {
        answer.result = "already_checked_in";
        answer.previous = { at: person.at, gate: person.g };
      } else {
        answer.status = "ok"; answer.result = "ok";
        roster.remember({ i: person.i, in: true, at: person.at || item.scanned_at,
                          g: person.at ? person.g : item.gate });
      }
    } else if (person) {
      if (person.in) {
        answer.status = "ok"; answer.result = "ok";
        roster.remember({ i: person.i, in: false, out: item.scanned_at });
      }
      else answer.result = "not_checked_in";
    }
    screen.showAnswer(answer, true);
    setNet();
  }

  function undo(a) {
    if (queue.forget(a.nonce)) {  // never left this device: forget it
      if (a.attendee) {
        roster.remember(a.type === "exit" ? { i: a.attendee.i, in: true, out: null }
                                          : { i: a.attendee.i, in: false, at: null, g: "" });
      }
      screen.markUndone(a.nonce);
      setNet();
      return;
    }
    if (!a.checkin_id) return;
    server.request("POST", "/checkins/" + a.checkin_id + "/undo", {}).then((r) => {
      if (r.status === 200) { roster.remember(r.data.attendee); screen.markUndone(a.nonce); setNet(); }
      else screen.refuse((r.data.error && r.data.error.message) || S.error, a.attendee);
    }).catch(() => screen.refuse(S.error, a.attendee, S.offline));
  }

  // A badge prints from a frame holding it alone (a page the badge's size), through the
  // browser's print dialog; the server draws it, so printing needs the network.
  function printBadge(attendeeId) {
    printBadgeFrame((frame) => { frame.src = root.dataset.badge + attendeeId; },
                    () => screen.refuse(S.print_failed, null));
  }
  screen.onPrint = printBadge;

  function upload() {
    queue.upload(server, (answer) => {
      if (answer.attendee) roster.remember(answer.attendee);
      screen.reconcile(answer);
    }).then((sent) => {
      setNet();
      if (sent && !queue.length) syncRoster();
    });
  }

  // --- the ways a person arrives: typed, searched and tapped, or from the camera -------------
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    scanCode($("code").value);
    $("code").value = "";
  });

  function pick(person) {
    scan({ attendee: person.i });
    $("search").value = "";
    drawMatches([], "");
  }
  function drawMatches(people, q) {
    screen.drawMatches(people, q, (p) => roster.byId.get(p.i), pick);
  }
  function search() {
    const q = $("search").value.trim();
    if (q.length < 2) { drawMatches([], ""); return; }
    if (server.offline) { drawMatches(roster.matches(q, SEARCH_LIMIT), q); return; }
    server.request("GET", "/search?q=" + encodeURIComponent(q)).then((r) => {
      drawMatches(r.status === 200 ? r.data.attendees : roster.matches(q, SEARCH_LIMIT), q);
    }).catch(() => drawMatches(roster.matches(q, SEARCH_LIMIT), q));
  }
  let searchTimer = null;
  $("search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 200); });
  $("search-form").addEventListener("submit", (event) => { event.preventDefault(); search(); });

  // The camera: the shared scanner component (scanner.js), when this page has it.
  const onCameraFrame = oncePerView(scanCode, LEFT_VIEW);
  screen.onNext = onCameraFrame.release;
  const video = $("camera");
  function cameraShown(on) {
    video.hidden = !on;
    $("camera-start").hidden = on;
    $("camera-stop").hidden = !on;
  }
  function cameraFailed() {
    cameraShown(false);
    $("camera-error").hidden = false;
    $("camera-error").textContent = S.camera_denied;
  }
  $("camera-start").addEventListener("click", () => {
    if (!window.Scanner) { cameraFailed(); return; }
    cameraShown(true);
    onCameraFrame.release();
    Promise.resolve(window.Scanner.start(video, () => {}, { decoderUrl: root.dataset.decoder,
                                                           onFrame: onCameraFrame }))
      .catch(cameraFailed);
  });
  $("camera-stop").addEventListener("click", () => {
    if (window.Scanner) window.Scanner.stop();
    cameraShown(false);
  });

  function probe() {
    if (!server.down || navigator.onLine === false) { upload(); return; }
    server.probe().then(upload).catch(() => { /* still unreachable */ });
  }
  window.addEventListener("online", () => { server.down = false; setNet(); upload(); });
  window.addEventListener("pagehide", () => {
    roster.flush();
    if (window.Scanner) window.Scanner.stop();
  });
  window.addEventListener("offline", setNet);
  setInterval(() => { setNet(); probe(); }, 4000);
  setInterval(syncRoster, 30000);
  screen.drawRecent();
  setNet();
  syncRoster();
  upload();
  keepShell(root);
}

// A service worker keeps the page shell, so a reload at the door works offline too. It
// knows this page's modules itself (door-sw.js); the page adds its URL, styles and decoder.
function keepShell(root) {
  if (!("serviceWorker" in navigator)) return;
  const base = root.dataset.api;
  navigator.serviceWorker.register(base + "/sw.js", { scope: base })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const shell = [location.origin + location.pathname, root.dataset.decoder];
      document.querySelectorAll("script[src], link[rel=stylesheet]").forEach((el) => shell.push(el.src || el.href));
      registration.active.postMessage({ shell, static: root.dataset.static });
      root.dataset.shell = "1";
    }).catch(() => { /* no worker: the page still works while it stays open */ });
}

const root = document.getElementById("door");
if (root) start(root);
