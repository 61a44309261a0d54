/* The door page: scan, type or search, check in; keeps working offline.
 *
 * Online, every scan goes to the server (POST …/door/scans), which decides.
 * When the server cannot be reached, the page decides from the roster kept on
 * this device (codes, names, ticket types, attention notes: nothing else), queues
 * the scan with its nonce and scan time in localStorage, and uploads the queue by
 * itself when the network returns. The server counts each nonce once.
 */
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root) return;
  var S = JSON.parse(document.getElementById("door-strings").textContent);
  var slug = root.dataset.slug;
  var base = root.dataset.api;
  var csrf = root.dataset.csrf;
  var REQUEST_TIMEOUT = 3000;
  var RESCAN_QUIET = 3000;   // the camera sees the same code many times a second
  // Set when a request fails; scans are then decided here at once, while a probe in the
  // background finds out when the server answers again.
  var serverDown = false;
  var uploading = false;
  var lastCode = "", lastCodeAt = 0, hideTimer = null, current = null;

  function $(id) { return document.getElementById(id); }
  function key(name) { return "checkin.door." + slug + "." + name; }
  function load(name, fallback) {
    try { return JSON.parse(localStorage.getItem(key(name))) || fallback; } catch (e) { return fallback; }
  }
  function save(name, value) {
    try { localStorage.setItem(key(name), JSON.stringify(value)); } catch (e) { /* full */ }
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) { return values[k] == null ? "" : values[k]; });
  }
  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/\s+/g, " ").trim();
  }
  function clock(iso) {
    if (!iso) return "";
    var options = { hour: "2-digit", minute: "2-digit" };
    try { return new Date(iso).toLocaleTimeString([], Object.assign({ timeZone: root.dataset.tz }, options)); }
    catch (e) { return new Date(iso).toLocaleTimeString([], options); }
  }
  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- this device: its id, its gate, the roster and the queue ---------------------------------
  var device = localStorage.getItem("checkin.door.device");
  if (!device) { device = "dev-" + newNonce().slice(0, 8); localStorage.setItem("checkin.door.device", device); }
  var gateInput = $("gate");
  gateInput.value = localStorage.getItem("checkin.door.gate") || "";
  gateInput.addEventListener("change", function () {
    localStorage.setItem("checkin.door.gate", gateInput.value.trim());
  });
  function gate() { return gateInput.value.trim(); }
  function kind() { return $("kind-exit").checked ? "exit" : "entry"; }

  var roster = load("roster", { attendees: [], synced_at: null });
  var queue = load("queue", []);
  var byCard = {}, byTicket = {}, folded = [];
  function indexRoster() {
    byCard = {}; byTicket = {};
    folded = roster.attendees.map(function (a) {
      byCard[a.c] = a;
      if (a.t) byTicket[a.t] = a;
      return fold(a.n) + "\n" + fold(a.t || "") + "\n" + a.c.toLowerCase();
    });
  }
  indexRoster();

  // The same reading of a scanned value as the server's codes_in().
  var CARD = /^[0-9A-HJKMNP-TV-Z]{10}$/;
  function codesIn(scanned) {
    var value = scanned.trim(), ticket = value;
    if (/^https?:\/\//i.test(value)) {
      try {
        var url = new URL(value);
        var parts = url.pathname.split("/").filter(Boolean);
        if (parts.length >= 2 && parts[parts.length - 2].toLowerCase() === "c") {
          value = parts[parts.length - 1];
        } else if (url.searchParams.get("pk")) {
          ticket = value = url.searchParams.get("pk");
        }
      } catch (e) { /* not a URL after all */ }
    }
    var card = value.toUpperCase().replace(/[-\s]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
    return { card: CARD.test(card) ? card : null, ticket: ticket };
  }
  function lookup(scanned) {
    var codes = codesIn(scanned);
    return (codes.card && byCard[codes.card]) || byTicket[codes.ticket] || null;
  }
  function merge(person) {  // true when the person is new to this device
    var known = byCard[person.c];
    if (known) {
      ["t", "n", "y", "a", "in", "at", "g"].forEach(function (k) { if (k in person) known[k] = person[k]; });
      return false;
    }
    roster.attendees.push(person);
    byCard[person.c] = person;
    return true;
  }
  // The roster can hold ten thousand people: write it at most twice a second.
  var rosterTimer = null;
  function saveRosterSoon() {
    if (rosterTimer) return;
    rosterTimer = setTimeout(function () { rosterTimer = null; save("roster", roster); }, 500);
  }
  function remember(person) {
    if (!person || !person.c) return;
    if (merge(person)) indexRoster();
    saveRosterSoon();
  }

  // --- talking to the server --------------------------------------------------------------------
  function isOffline() { return navigator.onLine === false || serverDown; }
  function setNet() {
    var off = isOffline();
    $("net").textContent = off ? S.offline : S.online;
    $("net").classList.toggle("off", off);
    var p = $("pending");
    p.hidden = queue.length === 0;
    p.textContent = queue.length === 1 ? S.pending_one : fill(S.pending, { count: queue.length });
  }

  function request(method, path, body, retried) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT);
    return fetch(base + path, {
      method: method,
      credentials: "same-origin",
      signal: controller.signal,
      headers: body ? { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" }
                    : { "Accept": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      clearTimeout(timer);
      if (response.status >= 500) throw new Error("server " + response.status);
      return response.json().then(function (data) {
        var code = data && data.error && data.error.code;
        if (code === "csrf" && !retried) {
          return request("GET", "/token").then(function (r) {
            csrf = r.data.csrf_token;
            return request(method, path, body, true);
          });
        }
        if (response.status === 401) {  // signed out: this device keeps no names any more
          show("bad", S.signed_out, null, "");
          localStorage.removeItem(key("roster"));
          roster = { attendees: [], synced_at: null };
          indexRoster();
        }
        serverDown = false;
        setNet();
        return { status: response.status, data: data };
      });
    }).catch(function (error) {
      clearTimeout(timer);
      serverDown = true;
      setNet();
      throw error;
    });
  }

  // The whole roster on opening and every ten minutes; in between, only what changed.
  var FULL_EVERY = 10 * 60 * 1000, OVERLAP = 60 * 1000, lastFull = 0;
  function syncRoster() {
    if (queue.length || isOffline()) return Promise.resolve();
    var full = !roster.synced_at || Date.now() - lastFull > FULL_EVERY;
    var path = "/roster";
    if (!full) path += "?since=" + encodeURIComponent(new Date(Date.parse(roster.synced_at) - OVERLAP).toISOString());
    return request("GET", path).then(function (r) {
      if (r.status !== 200 || queue.length) return;
      if (r.data.full) {
        roster = { attendees: r.data.attendees, synced_at: r.data.synced_at };
        lastFull = Date.now();
        indexRoster();
      } else {
        r.data.attendees.forEach(merge);
        indexRoster();
        roster.synced_at = r.data.synced_at;
      }
      save("roster", roster);
      root.dataset.synced = roster.synced_at;
    }).catch(function () { /* stays offline; the cached roster decides */ });
  }

  // --- feedback: full screen colour, a beep, a buzz -----------------------------------------------
  // Browsers start sound only from a tap or a key: open it on the first one.
  var audio = null;
  function unlockAudio() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { /* no sound on this device */ }
  }
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  function beep(good) {
    try {
      if (!audio) return;
      var tones = good ? [880] : [330, 0, 330];
      tones.forEach(function (hz, i) {
        if (!hz) return;
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = hz;
        gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(audio.destination);
        var at = audio.currentTime + i * 0.12;
        osc.start(at); osc.stop(at + 0.1);
      });
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) navigator.vibrate(good ? 80 : [150, 80, 150]);
  }

  function show(colour, word, person, detail, undo) {
    var box = $("result");
    box.className = "result result-" + colour;
    $("result-word").textContent = word;
    $("result-name").textContent = person ? person.n : "";
    $("result-type").textContent = person ? (person.y || "") : "";
    $("result-note").textContent = person ? (person.a || "") : "";
    $("result-note").hidden = !(person && person.a);
    $("result-detail").textContent = detail || "";
    $("result-undo").hidden = !undo;
    current = undo || null;
    box.dataset.shown = String(Number(box.dataset.shown || 0) + 1);  // tests count results
    box.hidden = false;
    beep(colour === "ok");
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, colour === "ok" ? 2000 : 4000);
  }
  function hide() { $("result").hidden = true; current = null; }
  $("result-next").addEventListener("click", hide);
  $("result-undo").addEventListener("click", function () { if (current) undo(current); hide(); });

  function whenWhere(at, where) {
    return where ? fill(S.by_gate, { time: clock(at), gate: where }) : fill(S.since, { time: clock(at) });
  }

  function showAnswer(a, offline) {
    var person = a.attendee, word, colour = "bad", detail = "";
    if (a.status === "ok") {
      colour = "ok";
      word = a.type === "exit" ? S.ok_exit : S.ok_entry;
    } else if (a.result === "already_checked_in" || a.result === "duplicate") {
      colour = "warn";
      word = S.already_checked_in;
      var prev = a.previous || (person && { at: person.at, gate: person.g });
      if (prev && prev.at) detail = whenWhere(prev.at, prev.gate);
    } else if (a.result === "not_checked_in") {
      colour = "warn";
      word = S.not_checked_in;
    } else {
      word = S[a.result] || a.message || S.error;
    }
    if (offline) detail = (detail ? detail + " · " : "") + (person ? S.offline_saved : S.offline_unknown);
    var undoable = a.status === "ok" && a.type === "entry" ? a : null;
    show(colour, word, person, detail, undoable);
    addRecent(a, colour, word, offline);
  }

  // --- recent scans, with undo ------------------------------------------------------------------
  var recent = [];
  function addRecent(a, colour, word, offline) {
    recent.unshift({ a: a, colour: colour, word: word, offline: offline, at: Date.now() });
    recent = recent.slice(0, 10);
    drawRecent();
  }
  function drawRecent() {
    var list = $("recent");
    list.textContent = "";
    recent.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "item recent-" + r.colour;
      li.dataset.nonce = r.a.nonce || "";
      var text = document.createElement("span");
      text.textContent = (r.a.attendee ? r.a.attendee.n + " — " : (r.a.code || "") + " — ") + r.word +
        (r.offline ? " (" + S.offline + ")" : "");
      li.appendChild(text);
      var fresh = Date.now() - r.at < 15 * 60 * 1000;
      if (r.a.status === "ok" && r.a.type === "entry" && fresh && !r.undone) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button undo";
        button.textContent = S.undo;
        button.addEventListener("click", function () { undo(r.a); });
        li.appendChild(button);
      }
      list.appendChild(li);
    });
  }

  function markUndone(nonce) {
    recent.forEach(function (r) {
      if (r.a.nonce === nonce) { r.undone = true; r.word = S.undone; }
    });
    drawRecent();
  }

  function undo(a) {
    var waiting = queue.findIndex(function (q) { return q.nonce === a.nonce; });
    if (waiting >= 0) {  // never left this device: forget it
      queue.splice(waiting, 1);
      save("queue", queue);
      if (a.attendee) remember({ c: a.attendee.c, in: false, at: null, g: "" });
      markUndone(a.nonce);
      setNet();
      return;
    }
    if (!a.checkin_id) return;
    request("POST", "/checkins/" + a.checkin_id + "/undo", {}).then(function (r) {
      if (r.status === 200) { remember(r.data.attendee); markUndone(a.nonce); }
      else show("bad", (r.data.error && r.data.error.message) || S.error, a.attendee, "");
    }).catch(function () { show("bad", S.error, a.attendee, S.offline); });
  }

  // --- one scan: ask the server, or decide here when it cannot be reached ------------------------
  function scan(code) {
    code = (code || "").trim();
    if (!code) return;
    var item = { code: code, type: kind(), nonce: newNonce(), scanned_at: new Date().toISOString(),
                 gate: gate(), device: device };
    if (isOffline()) { decideHere(item); return; }
    request("POST", "/scans", item).then(function (r) {
      if (r.data && r.data.nonce) {
        remember(r.data.attendee);
        showAnswer(r.data, false);
      } else if (r.status !== 401) {
        show("bad", (r.data.error && r.data.error.message) || S.error, null, "");
      }
    }).catch(function () { decideHere(item); });
  }

  function decideHere(item) {
    item.queued = true;
    queue.push(item);
    save("queue", queue);
    setNet();
    var person = lookup(item.code);
    var answer = { status: "error", result: "unknown_code", type: item.type, nonce: item.nonce,
                   code: item.code, attendee: person ? Object.assign({}, person) : null };
    if (person && item.type === "entry") {
      if (person.in) {
        answer.result = "already_checked_in";
        answer.previous = { at: person.at, gate: person.g };
      } else {
        answer.status = "ok"; answer.result = "ok";
        remember({ c: person.c, in: true, at: person.at || item.scanned_at, g: person.at ? person.g : item.gate });
      }
    } else if (person) {
      if (person.in) { answer.status = "ok"; answer.result = "ok"; remember({ c: person.c, in: false }); }
      else answer.result = "not_checked_in";
    }
    showAnswer(answer, true);
  }

  // --- the offline queue goes up by itself --------------------------------------------------------
  function upload() {
    if (uploading || !queue.length || navigator.onLine === false) return;
    uploading = true;
    var batch = queue.slice(0, 200);
    request("POST", "/scans", { scans: batch }).then(function (r) {
      if (r.status !== 200 || !r.data.results) return;
      var done = {};
      r.data.results.forEach(function (answer) {
        done[answer.nonce] = true;
        if (answer.attendee) remember(answer.attendee);
        reconcile(answer);
      });
      queue = queue.filter(function (q) { return !done[q.nonce]; });
      save("queue", queue);
      setNet();
      if (!queue.length) syncRoster();
    }).catch(function () { /* still offline: try again later */ })
      .then(function () { uploading = false; });
  }

  function reconcile(answer) {
    recent.forEach(function (r) {
      if (r.a.nonce !== answer.nonce) return;
      r.offline = false;
      r.a.checkin_id = answer.checkin_id;
      if (answer.attendee) r.a.attendee = answer.attendee;
      r.a.status = answer.status;
      r.a.result = answer.result;
      r.word = answer.status === "ok" ? (answer.type === "exit" ? S.ok_exit : S.ok_entry)
        : (S[answer.result] || answer.message || S.error);
      r.colour = answer.status === "ok" ? "ok" : (answer.result === "unknown_code" || answer.result === "wrong_event" ? "bad" : "warn");
    });
    drawRecent();
  }

  // --- the ways a code arrives: typed, searched and tapped, or from the camera ------------------
  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    scan($("code").value);
    $("code").value = "";
  });

  var searchTimer = null;
  $("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 200);
  });
  $("search-form").addEventListener("submit", function (event) { event.preventDefault(); search(); });

  function localMatches(q) {  // offline: by name, ticket code or card code (no emails here)
    var f = fold(q), found = [];
    for (var i = 0; i < folded.length && found.length < 20; i++) {
      if (folded[i].indexOf(f) >= 0) found.push(roster.attendees[i]);
    }
    return found;
  }

  function search() {
    var q = $("search").value.trim();
    if (q.length < 2) { drawMatches([], ""); return; }
    if (isOffline()) { drawMatches(localMatches(q), q); return; }
    request("GET", "/search?q=" + encodeURIComponent(q)).then(function (r) {
      drawMatches(r.status === 200 ? r.data.attendees : localMatches(q), q);
    }).catch(function () { drawMatches(localMatches(q), q); });
  }

  function drawMatches(people, q) {
    var list = $("matches");
    list.textContent = "";
    if (q && !people.length) {
      var none = document.createElement("li");
      none.className = "item muted";
      none.textContent = S.no_matches;
      list.appendChild(none);
    }
    people.forEach(function (p) {
      var known = byCard[p.c] || p;
      var li = document.createElement("li");
      li.className = "item match";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button match-button";
      button.dataset.code = p.c;
      var name = document.createElement("strong");
      name.textContent = p.n;
      var extra = document.createElement("span");
      extra.className = "muted";
      extra.textContent = [p.y, known.in ? fill(S.inside, { time: clock(known.at) }) : ""]
        .filter(Boolean).join(" · ");
      button.appendChild(name);
      button.appendChild(extra);
      button.addEventListener("click", function () {
        scan(p.c);
        $("search").value = "";
        drawMatches([], "");
      });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  // The camera: the shared scanner component, when this page has it.
  function onCameraText(text) {
    var now = Date.now();
    if (text === lastCode && now - lastCodeAt < RESCAN_QUIET) return;
    lastCode = text; lastCodeAt = now;
    scan(text);
  }
  var video = $("camera");
  $("camera-start").addEventListener("click", function () {
    if (!window.Scanner) { $("camera-error").hidden = false; $("camera-error").textContent = S.camera_denied; return; }
    video.hidden = false;
    $("camera-start").hidden = true;
    $("camera-stop").hidden = false;
    lastCode = "";
    Promise.resolve(window.Scanner.start(video, onCameraText,
                                         { decoderUrl: root.dataset.decoder })).catch(function () {
      video.hidden = true;
      $("camera-start").hidden = false;
      $("camera-stop").hidden = true;
      $("camera-error").hidden = false;
      $("camera-error").textContent = S.camera_denied;
    });
  });
  $("camera-stop").addEventListener("click", function () {
    if (window.Scanner) window.Scanner.stop();
    video.hidden = true;
    $("camera-start").hidden = false;
    $("camera-stop").hidden = true;
  });

  function probe() {
    if (!serverDown || navigator.onLine === false) { upload(); return; }
    request("GET", "/token").then(function (r) {
      if (r.status === 200) csrf = r.data.csrf_token;
      upload();
    }).catch(function () { /* still unreachable */ });
  }
  window.addEventListener("online", function () { serverDown = false; setNet(); upload(); });
  window.addEventListener("pagehide", function () {
    if (rosterTimer) { clearTimeout(rosterTimer); rosterTimer = null; save("roster", roster); }
    if (window.Scanner) window.Scanner.stop();
  });
  window.addEventListener("offline", setNet);
  setInterval(function () { setNet(); probe(); }, 4000);
  setInterval(syncRoster, 30000);
  setNet();
  syncRoster();
  upload();
  // A service worker keeps the page shell, so a reload at the door works offline too.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(base + "/sw.js", { scope: base }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var shell = [location.origin + location.pathname, root.dataset.decoder];
      document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (el) {
        shell.push(el.src || el.href);
      });
      registration.active.postMessage({ shell: shell });
      root.dataset.shell = "1";
    }).catch(function () { /* no worker: the page still works while it stays open */ });
  }
})();
