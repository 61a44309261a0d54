/* Scanner: reads QR codes with the rear camera, in the page (no app, no CDN).
 *
 * API (a global, so any page can use it with a plain <script src>):
 *   Scanner.start(video, onText, options) -> Promise
 *     video   a <video playsinline muted> element; the camera stream is shown in it.
 *     onText  called with each QR text read (the same text is not repeated within 2 s).
 *     options.decoderUrl  the vendored fallback decoder, an ES module exporting
 *             decodeQR({width, height, data}); default: the version vendored here.
 *     options.interval    ms between two reads (default 150).
 *     options.onFrame     called after each read with the text seen, or null (no code in
 *             view): how a page tells a code held still from one taken away.
 *     options.facing      "environment" (the rear camera, default) or "user" (the front
 *             one, a kiosk's).
 *     The promise resolves once the camera runs; it rejects with the browser's error
 *     ("NotAllowedError": camera refused, "NotFoundError": no camera) or with an Error
 *     named "NotSupportedError" when the browser has no getUserMedia.
 *   Scanner.stop()     stops the camera and the reading loop.
 *   Scanner.engine     "native" (BarcodeDetector) or "fallback" once started, else null.
 *
 * BarcodeDetector (Android Chrome, Safari 17+) is used when it reads QR codes; otherwise
 * the vendored decoder is loaded on demand, so a phone that has the native one never
 * downloads it.
 */
(function () {
  "use strict";
  var DEFAULT_DECODER = "/static/vendor/paulmillr-qr-0.3.0/decode.min.js";
  var MAX_SIDE = 640;  // frames are scaled down: faster, and a phone QR still reads
  var state = null;

  function notSupported() {
    var error = new Error("This browser cannot open the camera.");
    error.name = "NotSupportedError";
    return error;
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) return null;
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function (video) {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    }).catch(function () { return null; });
  }

  function fallbackDetector(url) {
    return import(url).then(function (module) {
      var decode = module.decodeQR || module.default;
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (video) {
        var w = video.videoWidth, h = video.videoHeight;
        if (!w || !h) return Promise.resolve(null);
        var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        try {
          return Promise.resolve(decode({ width: image.width, height: image.height,
                                          data: image.data }));
        } catch (e) {
          return Promise.resolve(null);  // no QR in this frame
        }
      };
    });
  }

  function loop(run) {
    if (state !== run) return;
    var video = run.video;
    var next = function () { run.timer = setTimeout(function () { loop(run); }, run.interval); };
    if (video.readyState < 2) { next(); return; }
    run.detect(video).then(function (text) {
      if (state !== run) return;
      if (run.onFrame) run.onFrame(text || null);
      if (!text) return;
      var now = Date.now();
      if (text === run.lastText && now - run.lastAt < 2000) return;
      run.lastText = text; run.lastAt = now;
      run.onText(text);
    }, function () {}).then(next);
  }

  function start(video, onText, options) {
    options = options || {};
    stop();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(notSupported());
    }
    var run = { video: video, onText: onText, onFrame: options.onFrame || null,
                interval: options.interval || 150,
                lastText: null, lastAt: 0, timer: null, stream: null, detect: null };
    state = run;
    video.setAttribute("playsinline", "");
    video.muted = true;
    var camera = navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: options.facing || "environment" }, width: { ideal: 1280 } }
    });
    return camera.then(function (stream) {
      if (state !== run) { stream.getTracks().forEach(function (t) { t.stop(); }); return; }
      run.stream = stream;
      video.srcObject = stream;
      var playing = video.play();
      return Promise.resolve(playing).then(function () { return nativeDetector(); })
        .then(function (native) {
          if (native) { Scanner.engine = "native"; return native; }
          Scanner.engine = "fallback";
          return fallbackDetector(options.decoderUrl || DEFAULT_DECODER);
        })
        .then(function (detect) { run.detect = detect; loop(run); });
    });
  }

  function stop() {
    var run = state;
    state = null;
    Scanner.engine = null;
    if (!run) return;
    clearTimeout(run.timer);
    if (run.stream) run.stream.getTracks().forEach(function (t) { t.stop(); });
    if (run.video) run.video.srcObject = null;
  }

  var Scanner = { start: start, stop: stop, engine: null };
  window.Scanner = Scanner;
})();
