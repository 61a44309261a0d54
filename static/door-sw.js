/* The door page's service worker: keeps the page shell, so a reload works without network.
 *
 * Served at /console/events/<slug>/door/sw.js with the door page as its scope. Only GET
 * requests for the page itself and for /static/ files are answered: network first, the
 * kept copy when the network fails. The JSON endpoints are never cached: the page decides
 * offline from its own roster and queue.
 */
"use strict";
var CACHE = "checkin-door-v1";
var TIMEOUT = 4000;
// The door page's modules, under /static/: main.js and everything it imports, which no
// script tag names (a test keeps this list in step with the imports).
var MODULES = [
  "js/door/main.js",
  "js/door/codes.js",
  "js/door/sha256.js",
  "js/door/queue.js",
  "js/door/roster.js",
  "js/door/screen.js",
  "js/door/print.js"
];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// The page tells the worker what else its shell is made of (page URL, scripts, styles,
// decoder) and where /static/ is.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var urls = (data.shell || []).concat(MODULES.map(function (m) { return (data.static || "/static/") + m; }));
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(url, response);
      }).catch(function () { /* offline: keep what is kept */ });
    }));
  }));
});

function withTimeout(promise) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, TIMEOUT);
    promise.then(function (r) { clearTimeout(timer); resolve(r); },
                 function (e) { clearTimeout(timer); reject(e); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The door page itself, not the pages under it (a badge, the kiosk): those hold names
  // and are never kept.
  var isPage = request.mode === "navigate" && url.pathname === new URL(self.registration.scope).pathname;
  if (!isPage && url.pathname.indexOf("/static/") !== 0) return;
  var key = isPage ? url.origin + url.pathname : request.url;
  event.respondWith(withTimeout(fetch(request)).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function (error) {
    return caches.match(key).then(function (kept) {
      if (kept) return kept;
      throw error;
    });
  }));
});
