// 下载本轮: fetches a round's bundle (one request), puts each page into the Cache Storage under its own URL
// (the service worker serves them with no signal) and keeps a small index in localStorage for this page:
// what is on the phone, how big, when, and for anonymous rounds whether the ballot card is here too. Signed
// rounds are cached apart ("inspect-signed-<id>"): logging out deletes them (static/js/memory.js).
(function () {
  "use strict";
  var ROOT = document.documentElement.getAttribute("data-root") || "";
  var NS = ROOT ? "@" + ROOT : "";
  var root = document.getElementById("offline");
  if (!root) return;
  var INDEX = "inspect" + NS + ".rounds";
  var CARD = "inspect" + NS + ".card.";

  function l(name, values) {
    var text = root.getAttribute("data-l-" + name) || name;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function readIndex() {
    try { return JSON.parse(localStorage.getItem(INDEX) || "{}"); } catch (e) { return {}; }
  }
  function writeIndex(index) { localStorage.setItem(INDEX, JSON.stringify(index)); }
  function card(roundId) {
    try { return localStorage.getItem(CARD + roundId) || ""; } catch (e) { return ""; }
  }
  function kb(bytes) { return String(Math.round(bytes / 1024)); }
  function when(ms) {
    return new Date(ms).toLocaleString([], { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  var usable = "caches" in window && "serviceWorker" in navigator && window.isSecureContext;

  function fetchBundle(url, anonymous, state, tries) {
    return fetch(url, {
      credentials: anonymous ? "omit" : "same-origin", cache: "no-store", headers: { Accept: "application/json" },
    }).then(function (response) {
      if (response.status === 429 && tries < 5) {
        var wait = Math.max(1, Number(response.headers.get("Retry-After")) || 10);
        state.textContent = l("wait", { s: wait });
        return sleep(wait * 1000).then(function () { return fetchBundle(url, anonymous, state, tries + 1); });
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.pages) throw new Error(data.message || String(response.status));
        return data;
      });
    });
  }

  function cacheName(roundId, anonymous) {
    return (anonymous ? "inspect-round-" : "inspect-signed-") + roundId + NS;
  }

  function store(data) {
    var name = cacheName(data.round.id, data.round.anonymous);
    var urls = Object.keys(data.pages);
    return caches.delete(name).then(function () { return caches.open(name); }).then(function (cache) {
      var bytes = 0;
      return Promise.all(urls.map(function (url) {
        var body = new Blob([data.pages[url]], { type: data.headers["Content-Type"] });
        bytes += body.size;
        return cache.put(url, new Response(body, { status: 200, headers: data.headers }));
      })).then(function () { return bytes; });
    });
  }

  function download(section) {
    var state = section.querySelector(".round-state");
    var button = section.querySelector("[data-action=download]");
    button.disabled = true;
    state.textContent = l("loading");
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    var anonymous = section.getAttribute("data-anonymous") === "1";
    return fetchBundle(section.getAttribute("data-bundle"), anonymous, state, 0).then(function (data) {
      return store(data).then(function (bytes) {
        var index = readIndex();
        index[data.round.id] = {
          title: data.round.title, anonymous: data.round.anonymous, posts: data.posts,
          pages: Object.keys(data.pages).length, bytes: bytes, at: Date.now(),
        };
        writeIndex(index);
        draw();
      });
    }).catch(function (error) {
      state.textContent = l("failed", { why: error.message });
    }).then(function () { button.disabled = false; });
  }

  function remove(roundId) {
    if (!window.confirm(l("confirm"))) return;
    Promise.all([caches.delete(cacheName(roundId, true)), caches.delete(cacheName(roundId, false))]).then(function () {
      var index = readIndex();
      delete index[roundId];
      writeIndex(index);
      draw();
    });
  }

  function cardBox(roundId) {
    var box = el("div", "card-state");
    var code = card(roundId);
    if (code) {
      box.appendChild(el("p", "", l("card", { tail: code.slice(-4) })));
      var forget = el("button", "button", l("forget"));
      forget.type = "button";
      forget.setAttribute("data-forget-card", roundId);
      forget.addEventListener("click", function () {
        if (window.InspectMemory) window.InspectMemory.forgetCard(roundId);
        draw();
      });
      box.appendChild(forget);
      return box;
    }
    box.appendChild(el("p", "error", l("nocard")));
    var form = document.getElementById("card-form").content.firstElementChild.cloneNode(true);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var clean = form.card.value.toUpperCase().replace(/[\s-]/g, "");
      if (!/^[0-9A-Z]{18}$/.test(clean)) { form.card.setCustomValidity("18"); form.card.reportValidity(); return; }
      localStorage.setItem(CARD + roundId, clean.match(/.{1,6}/g).join("-"));
      draw();
    });
    box.appendChild(form);
    return box;
  }

  function localRound(roundId, entry) {
    var section = el("section", "card local-round");
    section.setAttribute("data-round", roundId);
    section.appendChild(el("h3", "", entry.title));
    section.appendChild(el("p", "saved", l("saved", { n: entry.posts.length, kb: kb(entry.bytes), when: when(entry.at) })));
    if (entry.anonymous) section.appendChild(cardBox(roundId));
    var list = el("ul", "list");
    entry.posts.forEach(function (post) {
      var li = el("li");
      var link = el("a", "", post.name);
      link.href = post.scored ? post.page : post.form;
      link.appendChild(el("span", "muted", post.unit + " · " + post.code + (post.scored ? " · " + l("scored") : "")));
      li.appendChild(link);
      list.appendChild(li);
    });
    section.appendChild(list);
    var del = el("button", "button", l("delete"));
    del.type = "button";
    del.addEventListener("click", function () { remove(roundId); });
    section.appendChild(del);
    return section;
  }

  function draw() {
    var index = readIndex();
    var box = document.getElementById("local-rounds");
    var ids = Object.keys(index);
    box.textContent = "";
    if (!ids.length) box.appendChild(el("p", "muted", l("none")));
    ids.forEach(function (id) { box.appendChild(localRound(id, index[id])); });
    root.querySelectorAll("section.round").forEach(function (section) {
      var entry = index[section.getAttribute("data-round")];
      section.querySelector(".round-state").textContent = entry
        ? l("saved", { n: entry.posts.length, kb: kb(entry.bytes), when: when(entry.at) }) : "";
    });
    if (navigator.storage && navigator.storage.estimate) {
      navigator.storage.estimate().then(function (e) {
        document.getElementById("storage").textContent = l("storage", { mb: (e.usage / 1048576).toFixed(1) });
      }).catch(function () {});
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!usable) {
      document.getElementById("no-offline").hidden = false;
      root.querySelectorAll("[data-action=download]").forEach(function (b) { b.disabled = true; });
      return;
    }
    root.querySelectorAll("section.round").forEach(function (section) {
      section.querySelector("[data-action=download]").addEventListener("click", function () { download(section); });
    });
    draw();
  });
})();
