/* What a scanned value says: the same reading as the server's checkin/door/codes.py.
 *
 * The card code's look (alphabet, length, look-alike letters, separators) comes from the
 * server as data. A browser test runs this reader and codes_in() over one table of inputs.
 */
import { sha256Hex } from "./sha256.js";

/** A function reading {card, ticket, url} out of a scanned value, for cards that look like ``card``. */
export function codeReader(card) {
  const alphabet = card.alphabet.replace(/[\]\\^-]/g, "\\$&");
  const isCard = new RegExp("^[" + alphabet + "]{" + card.length + "}$");
  const separators = new RegExp(card.separators, "g");
  const normalize = (text) => Array.from(text.toUpperCase().replace(separators, ""),
                                         (ch) => card.lookalikes[ch] || ch).join("");
  return function codesIn(scanned) {
    let value = scanned.trim(), ticket = value, link = null;
    if (/^https?:\/\//i.test(value)) {
      try {
        const url = new URL(value);
        const path = url.pathname.replace(/\/+$/, "");
        if (url.hostname && path) link = (url.hostname + path).slice(0, 300);
        const parts = url.pathname.split("/").filter(Boolean);
        if (parts.length >= 2 && parts[parts.length - 2].toLowerCase() === "c") {
          value = parts[parts.length - 1];
        } else {
          const pk = url.searchParams.getAll("pk").filter(Boolean)[0];
          if (pk) ticket = value = pk;
        }
      } catch (e) { /* not a URL after all */ }
    }
    const code = normalize(value), card = isCard.test(code) ? code : null;
    // ``url``: a ticket URL as the server's ticket_url_key() reads it (host and path).
    return { card, ticket, url: card ? null : link };
  };
}

/** A camera's frames (the text seen, or null) to codes: ``onCode`` hears a code once, and
 * again only after ``release()`` or once it has been out of view ``leftView`` ms; another
 * code is heard at once. The camera sees a code many times a second, and the person it let
 * in may still stand there. */
export function oncePerView(onCode, leftView) {
  const held = { code: "", seenAt: 0 };
  function onFrame(text) {
    const now = Date.now();
    if (text && text === held.code) held.seenAt = now;
    else if (held.code && now - held.seenAt > leftView) held.code = "";
    if (!text || text === held.code) return;
    held.code = text; held.seenAt = now;
    onCode(text);
  }
  onFrame.release = () => { held.code = ""; };
  return onFrame;
}

/** What the roster keeps of a card code: the first ``hex`` digits of SHA-256("key:code"). */
export function cardHash(key, code, hex) {
  return sha256Hex(key + ":" + code).slice(0, hex);
}
