/* The live dashboard: fetch the figures and the chart again every few seconds. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var EVERY = 10000;
  function refresh() {
    if (document.hidden) return;
    fetch(live.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) live.innerHTML = html; })
      .catch(function () { /* try again next time */ });
  }
  setInterval(refresh, EVERY);
  document.addEventListener("visibilitychange", refresh);
})();
