// Service worker of inspect_app (served from /sw.js so its scope is the whole site; a group's mine at
// /m/<code>/ has its own, scoped to that mine's pages: ROOT, and its caches' names end with "@" + ROOT).
// Shell: static files and a few pages, cached at install under a versioned name; old versions are deleted on
// activate. Rounds: caches "inspect-round-<id>" written by the download page (static/js/download.js).
// Pages come from the network while there is one (4 s, then the cache); with none, from the caches.
// Sheets are never queued here: the page keeps them in IndexedDB (static/js/outbox.js) before sending.
"use strict";
var VERSION = {{ version|tojson }};
var ROOT = {{ request.script_root|tojson }};
var NS = ROOT ? "@" + ROOT : "";
var SHELL = "inspect-shell-" + VERSION + NS;
var SHELL_URLS = {{ shell_urls|tojson }};
var UNAVAILABLE = {{ offline_url|tojson }};
var QUEUED = ROOT + "/offline/queued";
var NAV_TIMEOUT = 4000;
var POST_TIMEOUT = 20000;
var NEVER_CACHED = ["/offline/session.json", "/sw.js"];
// the score-sheet forms (signed /field/<round>/<code>, anonymous /b/<round>/<code>): only their slow POSTs
// are "kept in the outbox"; any other form (an import, a password) waits for its own answer
var SHEET_POST = /^\/(field|b)\/\d+\/[^\/]+$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return Promise.all(SHELL_URLS.map(function (url) {
      return fetch(new Request(url, { cache: "reload", credentials: "omit" })).then(function (response) {
        if (!response.ok) throw new Error(url + " " + response.status);
        return cache.put(url, response);
      });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("inspect-shell-") === 0 && name !== SHELL && name.split("@")[1] === SHELL.split("@")[1];
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCache(request) {
  return caches.open(SHELL).then(function (shell) {
    return shell.match(request, { ignoreVary: true, ignoreSearch: true });
  }).then(function (hit) {
    return hit || caches.match(request, { ignoreVary: true }).then(function (found) {
      return found || caches.match(request, { ignoreVary: true, ignoreSearch: true });
    });
  });
}

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (r) { clearTimeout(timer); resolve(r); }, function (e) { clearTimeout(timer); reject(e); });
  });
}

// The code typed under a dirty QR, with no signal: straight to the post's cached page.
function typedCode(url) {
  var code = (url.searchParams.get("code") || "").toUpperCase().replace(/[^0-9A-Z]/g, "");
  return code ? Response.redirect(new URL(ROOT + "/p/" + code, url.origin).href, 303) : null;
}

// A downloaded form keeps its checklist apart, once per standard (a round of 60 posts on a 130-item standard
// stays far below 1 MB); it is put back here where the form names it. No checklist kept: the form is not usable.
var PART = /<!--inspect-items:((?:\/m\/[a-z0-9_]+)?\/offline\/parts\/[0-9]+\/[0-9]+\.html)-->/;
function withItems(response) {
  return response.clone().text().then(function (html) {
    var mark = PART.exec(html);
    if (!mark) return response;
    return caches.match(mark[1], { ignoreVary: true }).then(function (part) {
      if (!part) return null;
      return part.text().then(function (items) {
        return new Response(html.replace(mark[0], function () { return items; }),
          { status: response.status, statusText: response.statusText, headers: response.headers });
      });
    });
  });
}

function page(request, url, path) {
  var offline = self.navigator && self.navigator.onLine === false;
  var network = offline ? Promise.reject(new Error("offline")) : withTimeout(fetch(request), NAV_TIMEOUT);
  return network.catch(function () {
    if (path === "/go") {
      var jump = typedCode(url);
      if (jump) return jump;
    }
    return fromCache(request).then(function (hit) {
      return hit && SHEET_POST.test(path) ? withItems(hit) : hit;
    }).then(function (hit) {
      if (hit) return hit;
      return caches.match(UNAVAILABLE, { ignoreVary: true }).then(function (fallback) {
        return fallback || Response.error();
      });
    });
  });
}

// Logging out: the downloaded signed forms carry the user's name and a form token; they go (memory.js does
// the same from the page, and the rest of what the phone keeps of that user).
function forgetSigned() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("inspect-signed-") === 0; })
      .map(function (name) { return caches.delete(name); }));
  }).catch(function () {});
}

// A sheet posted by the form itself: it is already in the outbox, so a failure shows where it waits.
function postedSheet(request) {
  return withTimeout(fetch(request), POST_TIMEOUT).catch(function () {
    return caches.match(QUEUED, { ignoreVary: true }).then(function (page) { return page || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf(ROOT + "/") !== 0) return;
  var path = url.pathname.slice(ROOT.length); // the path within this mine
  if (NEVER_CACHED.indexOf(path) !== -1) return;
  if (request.method === "POST" && path === "/logout") {
    event.respondWith(forgetSigned().then(function () { return fetch(request); }));
    return;
  }
  if (request.method === "POST" && request.mode === "navigate" && SHEET_POST.test(path)) {
    event.respondWith(postedSheet(request));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url, path));
  } else if (path.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request, { ignoreVary: true, ignoreSearch: true }).then(function (hit) {
      return hit || fetch(request);
    }));
  } else {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (hit) { return hit || Response.error(); });
    }));
  }
});
