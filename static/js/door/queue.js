/* What this device keeps and sends: its storage, the server it talks to, the offline queue.
 *
 * Online, every scan goes to the server (POST …/door/scans), which decides. When it
 * cannot be reached, scans wait here with their nonce and scan time and go up by
 * themselves when the network returns. The server counts each nonce once.
 */
const REQUEST_TIMEOUT = 3000;

/** localStorage, one namespace per event; quiet when the browser refuses. */
export class Store {
  constructor(slug) { this.prefix = "checkin.door." + slug + "."; }
  load(name, fallback) {
    try { return JSON.parse(localStorage.getItem(this.prefix + name)) || fallback; }
    catch (e) { return fallback; }
  }
  save(name, value) {
    try { localStorage.setItem(this.prefix + name, JSON.stringify(value)); } catch (e) { /* full */ }
  }
  remove(name) { localStorage.removeItem(this.prefix + name); }
}

export function newNonce() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The door's JSON endpoints. ``down`` is set when a request fails: scans are then decided
 * on the device at once, while a probe finds out when the server answers again. */
export class Server {
  constructor(base, csrf, { onChange, onSignedOut }) {
    this.base = base;
    this.csrf = csrf;
    this.down = false;
    this.onChange = onChange;
    this.onSignedOut = onSignedOut;
  }

  get offline() { return navigator.onLine === false || this.down; }

  request(method, path, body, retried) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT);
    const headers = body ? { "Content-Type": "application/json", "X-CSRFToken": this.csrf,
                             "Accept": "application/json" }
                         : { "Accept": "application/json" };
    return fetch(this.base + path, {
      method, credentials: "same-origin", signal: controller.signal, headers,
      body: body ? JSON.stringify(body) : undefined,
    }).then((response) => {
      clearTimeout(timer);
      if (response.status >= 500) throw new Error("server " + response.status);
      return response.json().then((data) => {
        const code = data && data.error && data.error.code;
        if (code === "csrf" && !retried) {
          return this.request("GET", "/token").then((r) => {
            this.csrf = r.data.csrf_token;
            return this.request(method, path, body, true);
          });
        }
        if (response.status === 401) this.onSignedOut();
        this.down = false;
        this.onChange();
        return { status: response.status, data };
      });
    }).catch((error) => {
      clearTimeout(timer);
      this.down = true;
      this.onChange();
      throw error;
    });
  }

  /** A fresh CSRF token, which also says whether the server answers again. */
  probe() {
    return this.request("GET", "/token").then((r) => { if (r.status === 200) this.csrf = r.data.csrf_token; });
  }
}

/** Scans decided on this device, waiting to go up, oldest first. */
export class Queue {
  constructor(store) {
    this.store = store;
    this.items = store.load("queue", []);
    this.uploading = false;
  }

  get length() { return this.items.length; }

  push(item) {
    item.queued = true;
    this.items.push(item);
    this.store.save("queue", this.items);
  }

  /** Take back a scan that never left this device; true if it was still here. */
  forget(nonce) {
    const before = this.items.length;
    this.items = this.items.filter((q) => q.nonce !== nonce);
    this.store.save("queue", this.items);
    return this.items.length < before;
  }

  /** Send up to 200 waiting scans; ``onAnswer`` hears each answer. Resolves true when sent. */
  upload(server, onAnswer) {
    if (this.uploading || !this.items.length || navigator.onLine === false) return Promise.resolve(false);
    this.uploading = true;
    const batch = this.items.slice(0, 200);
    return server.request("POST", "/scans", { scans: batch }).then((r) => {
      if (r.status !== 200 || !r.data.results) return false;
      const done = new Set();
      r.data.results.forEach((answer) => { done.add(answer.nonce); onAnswer(answer); });
      this.items = this.items.filter((q) => !done.has(q.nonce));
      this.store.save("queue", this.items);
      return true;
    }).catch(() => false /* still offline: try again later */)
      .finally(() => { this.uploading = false; });
  }
}
