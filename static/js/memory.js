// What this phone keeps of a round, and when it forgets it (a phone may be shared, handed on, or lost):
// * a sealed anonymous round: its ballot card, its downloaded pages, the list of its sheets sent and any sheet of
//   it still waiting (it can no longer count) are deleted the next time the phone is online
//   (/b/rounds/live.json lists the rounds still taking sheets; it is the same for every phone), or at once when
//   the server answers a sheet with "sealed";
// * logging out deletes the downloaded signed forms (they carry the user's name and a form token) and the list
//   of signed sheets sent; signed sheets still waiting stay, to be sent for that same user only;
// * a "forget this card" button (data-forget-card="<round>") deletes one card at once.
(function () {
  "use strict";
  // a group's mine at /m/<code>/ shares the phone's origin with the others: what it keeps carries its address
  var ROOT = document.documentElement.getAttribute("data-root") || "";
  var NS = ROOT ? "@" + ROOT : "";
  var CARD = "inspect" + NS + ".card.";
  var INDEX = "inspect" + NS + ".rounds";
  var RESULTS = "inspect" + NS + ".outbox.results";
  var CHECKED = "inspect" + NS + ".live.checked";
  var CHECK_EVERY = 60000;

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function cardRounds() {
    var ids = [];
    try {
      for (var i = 0; i < localStorage.length; i += 1) {
        var key = localStorage.key(i);
        if (key && key.indexOf(CARD) === 0) ids.push(key.slice(CARD.length));
      }
    } catch (e) { /* no storage */ }
    return ids;
  }
  function dropCaches(test) {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(test).map(function (name) { return caches.delete(name); }));
    }).catch(function () {});
  }
  function outbox() { return window.InspectOutbox; }

  function forgetCard(roundId) {
    try {
      localStorage.removeItem(CARD + roundId);
      localStorage.removeItem("inspect" + NS + ".sent." + roundId); // guard.js: which (card, post) this phone sent
    } catch (e) { /* no storage */ }
  }

  // Everything this phone keeps of an anonymous round; resolves to the number of unsent sheets deleted.
  function forgetRound(roundId) {
    var id = String(roundId);
    forgetCard(id);
    write(RESULTS, read(RESULTS, []).filter(function (r) { return String(r.roundId) !== id; }));
    var index = read(INDEX, {});
    delete index[id];
    write(INDEX, index);
    var dropped = outbox() ? outbox().dropRound(id) : Promise.resolve(0);
    return Promise.all([dropCaches(function (name) { return name === "inspect-round-" + id + NS; }), dropped])
      .then(function (done) { return done[1]; });
  }

  function forgetSigned() {
    write(RESULTS, read(RESULTS, []).filter(function (r) { return !r.signed; }));
    var index = read(INDEX, {});
    Object.keys(index).forEach(function (id) { if (!index[id].anonymous) delete index[id]; });
    write(INDEX, index);
    return dropCaches(function (name) { return name.indexOf("inspect-signed-") === 0; });
  }

  // The anonymous rounds this phone keeps anything of.
  function known() {
    var ids = cardRounds();
    var index = read(INDEX, {});
    Object.keys(index).forEach(function (id) { if (index[id].anonymous) ids.push(id); });
    read(RESULTS, []).forEach(function (r) { if (r.roundId && !r.signed) ids.push(String(r.roundId)); });
    var waiting = outbox() ? outbox().ballotRounds() : Promise.resolve([]);
    return waiting.then(function (more) {
      return ids.concat(more).filter(function (id, i, all) { return id && all.indexOf(id) === i; });
    });
  }

  function reconcile(force) {
    if (navigator.onLine === false || !window.fetch) return Promise.resolve();
    var last = 0;
    try { last = Number(sessionStorage.getItem(CHECKED) || 0); } catch (e) { /* no storage */ }
    if (!force && Date.now() - last < CHECK_EVERY) return Promise.resolve();
    return known().then(function (ids) {
      if (!ids.length) return null;
      return fetch(ROOT + "/b/rounds/live.json", {
        credentials: "omit", cache: "no-store", headers: { Accept: "application/json" },
      }).then(function (response) { return response.ok ? response.json() : null; }).then(function (data) {
        if (!data || !data.live) return null;
        // checked only once answered: a fetch lost as the signal came back is tried again on the next page
        try { sessionStorage.setItem(CHECKED, String(Date.now())); } catch (e) { /* no storage */ }
        var live = data.live.map(String);
        return Promise.all(ids.filter(function (id) { return live.indexOf(id) === -1; }).map(forgetRound));
      });
    }).catch(function () {});
  }

  function onLogout(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-logout]") || form.dataset.forgotten) return;
    event.preventDefault();
    form.dataset.forgotten = "1";
    forgetSigned().then(function () { form.submit(); }, function () { form.submit(); });
  }

  function forgetButtons() {
    document.querySelectorAll("[data-forget-card]").forEach(function (button) {
      var id = button.getAttribute("data-forget-card");
      button.hidden = cardRounds().indexOf(id) === -1;
      button.addEventListener("click", function () {
        forgetCard(id);
        var input = document.querySelector("input[name=card]");
        if (input) input.value = "";
        button.hidden = true;
        var said = document.getElementById("card-forgotten");
        if (said) said.hidden = false;
        document.dispatchEvent(new CustomEvent("inspect:cards"));
      });
    });
  }

  window.InspectMemory = {
    forgetRound: forgetRound, forgetSigned: forgetSigned, forgetCard: forgetCard, reconcile: reconcile,
    cardRounds: cardRounds,
  };
  document.addEventListener("submit", onLogout);
  document.addEventListener("DOMContentLoaded", function () {
    forgetButtons();
    reconcile(false);
  });
  window.addEventListener("online", function () { reconcile(true); });
})();
