// Outbox (待发送): every finished sheet is written to IndexedDB before it is sent, and removed only when the
// server has answered for it: stored (200), or already scored (409). A sheet refused for good (a closed round,
// 410; a wrong card, …) stays for the inspector to read. Nothing expires by age.
//
// The form's own POST goes first (the server's pages answer it, and mark the sheet: data-received on the
// result page, data-answered on a refusal); whatever got no answer is replayed from here, one at a time, with
// a backoff doubling from 2 s to at most 5 minutes, on opening any page, on `online`, on returning to the
// page and on 立即发送. The server stores a sheet once per submission id, so a replay of a sheet whose answer
// was lost is acknowledged, not stored twice. Anonymous sheets are replayed without cookies. A sheet of a sealed
// round can no longer count: the round is forgotten on this phone (static/js/memory.js).
// Without IndexedDB (or without this script) forms post as plain forms.
(function () {
  "use strict";
  var ROOT = document.documentElement.getAttribute("data-root") || "";
  var NS = ROOT ? "@" + ROOT : "";
  if (!window.indexedDB || !window.fetch || !window.FormData || !window.Promise) return;
  var DB_NAME = "inspect" + NS;
  var STORE = "outbox";
  var RESULTS = "inspect" + NS + ".outbox.results";
  var FIRST_WAIT = 2000;
  var MAX_WAIT = 5 * 60 * 1000;
  var LIVE_GRACE = 30000; // the form's own POST is on its way: replays wait that long for its answer
  var timer = null;
  var busy = null; // the item being sent, for the list

  // --- storage -------------------------------------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var req = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function allItems() {
    return withStore("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.created - b.created; });
    });
  }
  function getItem(id) { return withStore("readonly", function (s) { return s.get(id); }); }
  function putItem(item) { return withStore("readwrite", function (s) { return s.put(item); }); }
  function dropItem(id) { return withStore("readwrite", function (s) { return s.delete(id); }); }

  function persist() {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
  }
  function uuid4() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function bytesOf(file) { return file.arrayBuffer ? file.arrayBuffer() : new Response(file).arrayBuffer(); }

  // A sheet as plain data: fields, and photos as ArrayBuffers (iOS Safari loses Blobs kept in IndexedDB).
  function capture(form) {
    var data = new FormData(form);
    var fields = [];
    var reads = [];
    data.forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
      else if (value && value.size) {
        reads.push(bytesOf(value).then(function (buf) {
          return { field: name, name: value.name || "photo.jpg", type: value.type || "application/octet-stream", data: buf };
        }));
      }
    });
    return Promise.all(reads).then(function (files) {
      var id = data.get("submission_id");
      var url = new URL(form.action, location.href);
      return {
        id: id, url: url.pathname, kind: form.dataset.outbox, user: form.dataset.user || null,
        post: form.dataset.post || "", round: form.dataset.roundTitle || "", fields: fields, files: files,
        created: Date.now(), state: "waiting", tries: 0, nextAt: Date.now() + LIVE_GRACE, error: "", code: "",
      };
    });
  }

  // --- sending -------------------------------------------------------------------------------------------
  function label(name, values) {
    var box = document.getElementById("outbox") || document.getElementById("outbox-badge");
    var text = (box && box.getAttribute("data-l-" + name)) || name;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  function bodyOf(item, csrf) {
    var body = new FormData();
    item.fields.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrf_token" && csrf ? csrf : pair[1]);
    });
    item.files.forEach(function (f) { body.append(f.field, new Blob([f.data], { type: f.type }), f.name); });
    return body;
  }

  function who() {
    return fetch(ROOT + "/offline/session.json", { credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json" } }).then(function (r) { return r.json(); });
  }

  // One attempt: resolves to "stop" when the network is gone (no use trying the next one now).
  function attempt(item) {
    var ready = item.kind === "signed" ? who() : Promise.resolve(null);
    return ready.then(function (session) {
      if (item.kind === "signed" && (!session.user || String(session.user) !== String(item.user))) {
        return later(item, "", null, "login").then(function () { return "next"; });
      }
      return fetch(item.url, {
        method: "POST", body: bodyOf(item, session && session.csrf_token),
        headers: { Accept: "application/json" },
        credentials: item.kind === "ballot" ? "omit" : "same-origin",
      }).then(function (response) { return answered(item, response); });
    }).catch(function () {
      return later(item, "", null, "offline").then(function () { return "stop"; });
    });
  }

  function roundOf(item) { return (/^\/(?:b|field)\/(\d+)\//.exec(item.url) || [])[1] || ""; }

  function sealed(item) {
    return window.InspectMemory ? window.InspectMemory.forgetRound(roundOf(item)) : dropItem(item.id);
  }

  function answered(item, response) {
    var json = /json/.test(response.headers.get("Content-Type") || "") && !response.redirected;
    return (json ? response.json() : Promise.resolve({})).then(function (data) {
      var message = data.message || response.status + " " + response.statusText;
      if (data.problems && data.problems.length > 1) { // a refused sheet: all that must change, item by item
        message = data.problems.map(function (p) { return (p.item ? p.item + " " : "") + p.message; }).join("；");
      }
      if (response.ok && json && data.result === "stored") return done(item, "sent", message);
      if (response.status === 409) return done(item, "duplicate", message);
      if (response.status === 410 && data.error === "round_sealed") return sealed(item);
      if (response.status === 410) return refused(item, "closed", message, data.error);
      var retryable = !json || response.status === 408 || response.status === 429 || response.status >= 500;
      if (!retryable && response.status >= 400) return refused(item, "error", message, data.error);
      return later(item, message, response.headers.get("Retry-After"));
    }).then(function () { return "next"; });
  }

  function done(item, kind, message) {
    remember({ post: item.post, round: item.round, roundId: roundOf(item), signed: item.kind === "signed",
      kind: kind, message: message, at: Date.now() });
    return dropItem(item.id);
  }

  // The waiting sheets of a sealed round are deleted (they can no longer count); one line says how many.
  // The sending loop and the page's own check can both learn of the seal at once: they share one deletion,
  // or each would count the same sheets and the line would show twice.
  var dropping = {};
  function dropRound(roundId) {
    var key = String(roundId);
    if (dropping[key]) return dropping[key];
    dropping[key] = allItems().then(function (items) {
      var gone = items.filter(function (i) { return i.kind === "ballot" && roundOf(i) === key; });
      return Promise.all(gone.map(function (i) { return dropItem(i.id); })).then(function () {
        if (gone.length) remember({ round: gone[0].round, kind: "sealed", n: gone.length, at: Date.now() });
        render();
        return gone.length;
      });
    }).then(function (n) { delete dropping[key]; return n; }, function (e) { delete dropping[key]; throw e; });
    return dropping[key];
  }
  function ballotRounds() {
    return allItems().then(function (items) {
      return items.filter(function (i) { return i.kind === "ballot"; }).map(roundOf);
    }).catch(function () { return []; });
  }
  function refused(item, state, message, code) {
    item.state = state;
    item.error = message;
    item.code = code || "";
    return putItem(item);
  }
  // Not yet: try again after a while. `code` names a reason found here (no signal, not logged in), shown in
  // the inspector's language by the outbox page; `message` is what the server said.
  function later(item, message, retryAfter, code) {
    item.tries += 1;
    item.code = code || "";
    var wait = Math.min(MAX_WAIT, FIRST_WAIT * Math.pow(2, item.tries - 1));
    var asked = Number(retryAfter);
    if (asked > 0) wait = Math.min(MAX_WAIT, Math.max(wait, asked * 1000));
    item.nextAt = Date.now() + wait;
    item.error = message;
    return putItem(item);
  }

  function remember(result) {
    try {
      var list = JSON.parse(localStorage.getItem(RESULTS) || "[]");
      list.unshift(result);
      localStorage.setItem(RESULTS, JSON.stringify(list.slice(0, 10)));
    } catch (e) { /* private mode: the list shows what is left */ }
  }

  function pass(force) {
    if (navigator.onLine === false) return Promise.resolve();
    return allItems().then(function (items) {
      var due = items.filter(function (i) {
        return i.state === "waiting" && (force || i.nextAt <= Date.now());
      });
      var chain = Promise.resolve("next");
      due.forEach(function (item) {
        chain = chain.then(function (outcome) {
          if (outcome === "stop") return "stop";
          busy = item.id;
          render();
          return attempt(item);
        });
      });
      return chain;
    });
  }

  function flush(force) {
    var run = function () {
      return pass(force).catch(function () {}).then(function () { busy = null; render(); schedule(); });
    };
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(DB_NAME + "-outbox", { ifAvailable: true }, function (lock) {
        return lock ? run() : null;
      });
    }
    if (flush.running) return Promise.resolve();
    flush.running = true;
    return run().then(function () { flush.running = false; });
  }

  function schedule() {
    allItems().then(function (items) {
      var next = items.filter(function (i) { return i.state === "waiting"; })
        .reduce(function (m, i) { return Math.min(m, i.nextAt); }, Infinity);
      clearTimeout(timer);
      if (next !== Infinity) timer = setTimeout(function () { flush(false); }, Math.max(1000, next - Date.now()));
    }).catch(function () {});
  }

  // --- the page ------------------------------------------------------------------------------------------
  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-outbox]") || event.defaultPrevented) return;
    event.preventDefault();
    if (form.dataset.sending) return;
    form.dataset.sending = "1";
    persist();
    var offline = navigator.onLine === false;
    capture(form).then(function (item) {
      if (offline) item.nextAt = 0; // nothing is on its way: the first replay may go as soon as there is signal
      return putItem(item);
    }).then(function () {
      if (offline) showQueued(form);
      else if (form.dataset.outbox === "signed") freshToken(form).then(function () { form.submit(); });
      else form.submit();
    }, function () {
      form.submit(); // no room on the phone (or a private window): post as a plain form
    });
  }

  // A form kept on the phone carries the CSRF token of the session it was downloaded in.
  function freshToken(form) {
    return who().then(function (session) {
      if (session.csrf_token && form.elements.csrf_token) form.elements.csrf_token.value = session.csrf_token;
    }).catch(function () {});
  }

  function showQueued(form) {
    var card = document.createElement("section");
    card.className = "card ok";
    card.id = "queued";
    card.setAttribute("role", "status");
    var title = document.createElement("h1");
    title.textContent = label("queued");
    var link = document.createElement("a");
    link.className = "button primary big";
    link.href = ROOT + "/outbox";
    link.textContent = label("outbox");
    card.appendChild(title);
    card.appendChild(link);
    form.hidden = true;
    form.parentNode.insertBefore(card, form);
    window.scrollTo(0, 0);
    render();
  }

  // A refused sheet comes back as the form with what was typed; the photos, which no page can carry back, are
  // put into their inputs again from the copy kept here (DataTransfer; where that is missing, the page lists them).
  function restorePhotos(form, item) {
    if (!item || !item.files || !item.files.length || !window.DataTransfer) return;
    var lists = {};
    item.files.forEach(function (f) {
      var input = form.querySelector("input[type=file][name='" + f.field + "']");
      if (!input) return;
      if (!lists[f.field]) lists[f.field] = { input: input, list: new DataTransfer() };
      lists[f.field].list.items.add(new File([f.data], f.name, { type: f.type }));
    });
    Object.keys(lists).forEach(function (name) {
      var entry = lists[name];
      entry.input.files = entry.list.files;
      entry.input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    var again = document.getElementById("photos-again");
    var kept = document.getElementById("photos-kept");
    if (again && kept && Object.keys(lists).length) { again.hidden = true; kept.hidden = false; }
  }

  // What the server's page says about a sheet this phone posted itself.
  function settleThisPage() {
    var work = [];
    var received = document.querySelector("[data-received]");
    if (received && received.getAttribute("data-received")) work.push(dropItem(received.getAttribute("data-received")));
    var form = document.querySelector("form[data-outbox][data-answered]");
    if (form && form.getAttribute("data-answered")) {
      var answeredId = form.getAttribute("data-answered");
      work.push(getItem(answeredId).then(function (item) {
        return restorePhotos(form, item);
      }).catch(function () {}).then(function () { return dropItem(answeredId); }));
    }
    var refusal = document.querySelector("#refused[data-answered]");
    var id = refusal && refusal.getAttribute("data-answered");
    if (id) {
      var status = Number(refusal.getAttribute("data-status"));
      var message = (refusal.querySelector("h1") || refusal).textContent.trim();
      work.push(getItem(id).then(function (item) {
        if (!item) return null;
        if (status === 409) return dropItem(id);
        if (status === 410 && refusal.getAttribute("data-error") === "round_sealed") return sealed(item);
        return refused(item, status === 410 ? "closed" : "error", message, String(status));
      }));
    }
    document.querySelectorAll("form[data-outbox] input[name=submission_id]").forEach(function (input) {
      input.value = uuid4(); // a cached form is opened many times: each sheet gets its own id
    });
    return Promise.all(work).catch(function () {});
  }

  function badge(items) {
    var link = document.getElementById("outbox-badge");
    if (!link) return;
    link.hidden = items.length === 0;
    link.querySelector("span").textContent = String(items.length);
    link.classList.toggle("alert", items.some(function (i) { return i.state !== "waiting"; }));
  }

  function render() {
    return allItems().then(function (items) {
      badge(items);
      if (window.InspectOutboxView) window.InspectOutboxView.draw(items, busy);
    }).catch(function () {});
  }

  // for the outbox page (static/js/outbox.js draws it below)
  var api = {
    flush: flush, render: render, allItems: allItems, putItem: putItem, dropItem: dropItem, label: label,
    dropRound: dropRound, ballotRounds: ballotRounds,
    results: function () { try { return JSON.parse(localStorage.getItem(RESULTS) || "[]"); } catch (e) { return []; } },
  };
  window.InspectOutbox = api;

  document.addEventListener("submit", onSubmit);
  document.addEventListener("DOMContentLoaded", function () {
    settleThisPage().then(function () { render(); flush(false); });
  });
  window.addEventListener("online", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush(false);
  });
})();

// The outbox page: one line per sheet, its state and last error, and what was sent lately.
(function () {
  "use strict";
  var api = window.InspectOutbox;
  if (!api) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clock(ms) { return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }); }

  function button(text, onClick) {
    var b = el("button", "button", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function cardFix(item) {
    var form = el("form", "stack");
    var input = el("input");
    input.name = "card";
    input.setAttribute("aria-label", api.label("card"));
    input.autocomplete = "off";
    input.value = (item.fields.filter(function (p) { return p[0] === "card"; })[0] || [])[1] || "";
    var submit = el("button", "button primary", api.label("fixcard"));
    submit.type = "submit";
    form.appendChild(input);
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      item.fields = item.fields.map(function (p) { return p[0] === "card" ? ["card", input.value] : p; });
      retry(item);
    });
    return form;
  }

  function retry(item) {
    item.state = "waiting";
    item.nextAt = 0;
    api.putItem(item).then(function () { api.flush(true); });
  }

  function line(item, busy) {
    var li = el("li", "card outbox-item state-" + item.state);
    li.setAttribute("data-id", item.id);
    li.appendChild(el("h2", "", item.post));
    li.appendChild(el("p", "muted", item.round + (item.files.length ? " · " + api.label("photos", { n: item.files.length }) : "")));
    var state = busy === item.id ? api.label("sending") : api.label(item.state);
    li.appendChild(el("p", "outbox-state", state));
    var why = item.error || (item.code === "offline" || item.code === "login" ? api.label(item.code) : "");
    if (why) li.appendChild(el("p", item.state === "waiting" ? "muted outbox-error" : "error outbox-error", why));
    if (item.state === "waiting" && item.tries) {
      li.appendChild(el("p", "muted", api.label("tries", { n: item.tries }) + " · " + api.label("next", { t: clock(item.nextAt) })));
    }
    var actions = el("p", "actions");
    if (item.state === "error" && item.kind === "ballot" && /^card_|^403$/.test(item.code)) li.appendChild(cardFix(item));
    else if (item.state === "error") actions.appendChild(button(api.label("retry"), function () { retry(item); }));
    actions.appendChild(button(api.label("delete"), function () {
      if (window.confirm(api.label("confirm"))) api.dropItem(item.id).then(api.render);
    }));
    li.appendChild(actions);
    return li;
  }

  function results() {
    var box = document.getElementById("outbox-results");
    box.textContent = "";
    api.results().slice(0, 5).forEach(function (r) {
      var card = el("p", "card " + (r.kind === "sent" ? "ok" : "alert") + " result-" + r.kind);
      if (r.kind === "sealed") {  // no post named: the round is forgotten on this phone
        card.appendChild(el("strong", "", r.round));
        card.appendChild(document.createTextNode(" — " + api.label("sealed", { n: r.n })));
        box.appendChild(card);
        return;
      }
      card.appendChild(el("strong", "", r.post));
      card.appendChild(document.createTextNode(" · " + r.round + " · " + clock(r.at) + " — "));
      card.appendChild(document.createTextNode(r.kind === "sent" ? api.label("sent") : api.label("duplicate")));
      box.appendChild(card);
    });
  }

  window.InspectOutboxView = {
    draw: function (items, busy) {
      var list = document.getElementById("outbox-list");
      if (!list) return;
      list.textContent = "";
      items.forEach(function (item) { list.appendChild(line(item, busy)); });
      document.getElementById("outbox-empty").hidden = items.length > 0;
      results();
    },
  };
  document.addEventListener("DOMContentLoaded", function () {
    var now = document.getElementById("send-now");
    if (now) now.addEventListener("click", function () { api.flush(true); });
  });
})();
