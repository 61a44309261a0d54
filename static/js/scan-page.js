/* The /scan page: a card URL opens that card; any other QR says so and scanning goes on.
   A card code goes through /scan?code=, so a code that is no card's stays in the scanner. */
(function () {
  "use strict";
  var config = document.getElementById("scan-config");
  var video = document.getElementById("scanner-video");
  var status = document.getElementById("scan-status");
  if (!config || !video || !window.Scanner) return;
  var CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;
  var prefixes = [config.dataset.prefix, window.location.origin + "/c/"].map(function (p) {
    return p.toUpperCase();
  });

  function cardCode(text) {
    var upper = String(text).trim().toUpperCase();
    for (var i = 0; i < prefixes.length; i++) {
      if (upper.indexOf(prefixes[i]) === 0) {
        var code = upper.slice(prefixes[i].length).replace(/\/$/, "");
        if (CODE.test(code)) return code;
      }
    }
    return null;
  }

  // The code the server has just said is no card's: the camera, still in front of it, reads
  // it again, and its answer is already on screen.
  var refused = config.dataset.refused || null;

  function onText(text) {
    var code = cardCode(text);
    if (code && code === refused) return;
    refused = null;
    if (code) {
      Scanner.stop();
      status.textContent = config.dataset.opening;
      window.location.assign(config.dataset.open + encodeURIComponent(code));
    } else {
      status.textContent = config.dataset.foreign;
    }
  }

  function start() {
    Scanner.start(video, onText, { decoderUrl: config.dataset.decoder }).catch(function () {
      status.textContent = config.dataset.denied;
      video.hidden = true;
    });
  }

  // The camera runs only while the page is on screen; back from a card, it starts again.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) Scanner.stop(); else if (!Scanner.engine) start();
  });
  window.addEventListener("pagehide", function () { Scanner.stop(); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) start(); });
  start();
})();
