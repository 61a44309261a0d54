/* The self check-in kiosk: the front camera reads a guest's own QR, the server checks them
 * in and answers with their name only. Both languages at once; nothing of anyone else is
 * kept or shown. The door's device settings (gate name, badge printing) carry over.
 */
import { oncePerView } from "./codes.js";
import { printBadgeFrame } from "./print.js";
import { newNonce, Server } from "./queue.js";

const LEFT_VIEW = 1000;
const SHOW_FOR = { ok: 3500, warn: 5000, bad: 6000 };
const ICONS = { ok: "\u2714", warn: "!", bad: "\u2716" };

function $(id) { return document.getElementById(id); }

function start(root) {
  const words = Object.fromEntries(JSON.parse($("kiosk-words").textContent));
  // A door turned kiosk keeps no names: the door's rosters and recent scans go (its queue of
  // scans waiting to upload stays, and goes up when the door page is back).
  // Every event's: a door that served several events kept each one's.
  Object.keys(localStorage).filter((k) => /^checkin\.door\..+\.(roster|recent)$/.test(k))
    .forEach((k) => localStorage.removeItem(k));
  let device = localStorage.getItem("checkin.door.device");
  if (!device) { device = "dev-" + newNonce().slice(0, 8); localStorage.setItem("checkin.door.device", device); }
  const gate = localStorage.getItem("checkin.door.gate") || "";
  const prints = localStorage.getItem("checkin.door.autoprint") === "1";
  const server = new Server(root.dataset.api, root.dataset.csrf, {
    onChange() {}, onSignedOut() { show("bad", "failed", "", "unknown_help"); },
  });
  let hideTimer = null;

  function show(colour, word, name, detail) {
    const box = $("result");
    box.className = "result kiosk-result result-" + colour;
    $("result-icon").textContent = ICONS[colour];
    box.querySelectorAll(".result-word").forEach((p) => { p.textContent = words[p.dataset.lang][word]; });
    box.querySelectorAll(".result-detail").forEach((p) => {
      p.textContent = detail ? words[p.dataset.lang][detail] : "";
      p.hidden = !detail;
    });
    $("result-name").textContent = name || "";
    $("result-name").hidden = !name;
    box.dataset.shown = String(Number(box.dataset.shown || 0) + 1);  // tests count results
    box.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { box.hidden = true; }, SHOW_FOR[colour]);
  }

  function printBadge(html) {
    printBadgeFrame((frame) => { frame.srcdoc = html; }, () => {});
  }

  function scan(code) {
    const item = { code, nonce: newNonce(), gate, device, badge: prints };
    server.request("POST", "/kiosk/scans", item).then((r) => {
      const a = r.data || {};
      if (a.result === "ok") show("ok", "ok", a.name, "");
      else if (a.result === "already_checked_in") show("warn", "already_checked_in", a.name, "");
      else if (a.result === "unknown") show("bad", "unknown", "", "unknown_help");
      else show("bad", "failed", "", "unknown_help");
      if (a.badge) printBadge(a.badge);
    }).catch(() => show("bad", "failed", "", "unknown_help"));
  }

  const video = $("camera");
  const onFrame = oncePerView(scan, LEFT_VIEW);
  function camera() {
    $("camera-start").hidden = true;
    if (!window.Scanner) { $("camera-start").hidden = false; return; }
    Promise.resolve(window.Scanner.start(video, () => {}, {
      facing: "user", decoderUrl: root.dataset.decoder, onFrame,
    })).then(() => { root.dataset.camera = "on"; })
      .catch(() => { $("camera-start").hidden = false; });
  }
  $("camera-start").addEventListener("click", camera);
  window.addEventListener("pagehide", () => { if (window.Scanner) window.Scanner.stop(); });
  camera();
}

const root = document.getElementById("kiosk");
if (root) start(root);
