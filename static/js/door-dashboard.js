/* The live dashboard: fetch the figures and the chart again every few seconds.
 *
 * One request at a time: the next is asked for 10 s after the previous answer (or after it
 * gave up), so a slow server is never asked faster than it answers.
 */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var EVERY = 10000, GIVE_UP = 30000;
  var busy = false, timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(refresh, EVERY); }
  function refresh() {
    clearTimeout(timer);
    if (busy || document.hidden) return;  // hidden: asked again when shown
    busy = true;
    var controller = new AbortController();
    var giveUp = setTimeout(function () { controller.abort(); }, GIVE_UP);
    fetch(live.dataset.src, { credentials: "same-origin", signal: controller.signal,
                              headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) live.innerHTML = html; })
      .catch(function () { /* try again next time */ })
      .then(function () { clearTimeout(giveUp); busy = false; later(); });
  }
  later();
  document.addEventListener("visibilitychange", refresh);
})();
