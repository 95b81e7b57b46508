// In-app scanner (vendored nimiq/qr-scanner 1.4.2, MIT): reads a signboard's QR and opens /p/<code> on this
// site, whatever host is printed in the code, so the downloaded page opens underground. A ballot card's QR
// opens the card page (which keeps the card on the phone). The decoder runs in a worker file of our own
// (the library would build it from a blob: URL, which our CSP does not allow); the torch is a toggle.
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box) return;
  var state = document.getElementById("scan-state");

  function l(name, values) {
    var text = box.getAttribute("data-l-" + name) || name;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  // Where a scanned text leads on this site, or null. A typed code is a post of this mine; a printed URL
  // keeps the mine its path names (/m/<code>/…, a group's mine), else this page's mine (data-root).
  var ROOT = document.documentElement.getAttribute("data-root") || "";
  function target(text) {
    var trimmed = String(text || "").trim();
    if (/^[0-9A-Za-z]{4,12}$/.test(trimmed)) return ROOT + "/p/" + trimmed.toUpperCase();
    var url;
    try { url = new URL(trimmed); } catch (e) { return null; }
    var path = /^(\/m\/[a-z][a-z0-9_]{1,15})?(\/.*)$/.exec(url.pathname);
    var mine = path[1] || ROOT;
    var post = /^\/p\/([0-9A-Za-z]{4,12})\/?$/.exec(path[2]);
    if (post) return mine + "/p/" + post[1].toUpperCase();
    if (path[2] === "/b/card" && url.hash) return mine + "/b/card" + url.hash;
    return null;
  }
  window.InspectScanTarget = target; // for the page's tests

  function engine() {
    var worker = function () { return new Worker(box.getAttribute("data-worker")); };
    if (!("BarcodeDetector" in window) || QrScanner._disableBarcodeDetector) return Promise.resolve(worker());
    return BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") !== -1 ? new BarcodeDetector({ formats: ["qr_code"] }) : worker();
    }).catch(worker);
  }

  function start() {
    if (!window.QrScanner || !navigator.mediaDevices || !window.isSecureContext) {
      state.textContent = l("nocamera");
      return;
    }
    QrScanner.createQrEngine = engine;
    var video = document.getElementById("scan-video");
    var torch = document.getElementById("torch");
    var leaving = false;
    var scanner = new QrScanner(video, function (result) {
      var where = target(result.data);
      if (!where) { state.textContent = l("foreign"); return; }
      if (leaving) return;
      leaving = true;
      state.textContent = l("opening", { code: where.split("/").pop() });
      scanner.stop();
      window.location.assign(where);
    }, { returnDetailedScanResult: true, preferredCamera: "environment", maxScansPerSecond: 8 });
    box.hidden = false;
    scanner.start().then(function () {
      return scanner.hasFlash();
    }).then(function (flash) {
      if (!flash) return;
      torch.hidden = false;
      torch.addEventListener("click", function () {
        scanner.toggleFlash().then(function () {
          var on = scanner.isFlashOn();
          torch.setAttribute("aria-pressed", String(on));
          torch.textContent = on ? l("torch-off") : l("torch-on");
        });
      });
    }).catch(function () {
      box.hidden = true;
      state.textContent = l("nocamera");
    });
    window.addEventListener("pagehide", function () { scanner.stop(); });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
