// The ballot form guards before anything is queued (progressive enhancement; the server checks again):
// * no card, or a card number that cannot be one (its check symbol is wrong), stops the sheet here, with the
//   card field marked, before it can wait in the outbox and be refused at the surface;
// * this phone remembers, per round, a hash of each (card, post) it queued a sheet for, and warns on opening
//   the form again with that card: local knowledge only, the server is never asked. memory.js forgets the
//   list with the round's card.
(function () {
  "use strict";
  // a group's mine at /m/<code>/ shares the phone's origin with the others: what it keeps carries its address
  var ROOT = document.documentElement.getAttribute("data-root") || "";
  var NS = ROOT ? "@" + ROOT : "";
  var SENT = "inspect" + NS + ".sent.";

  function clean(text) { return String(text || "").toUpperCase().replace(/[\s\t-]/g, ""); }
  function validCard(code, alphabet) {
    if (code.length !== 18) return false;
    var total = 0;
    for (var i = 0; i < code.length; i += 1) {
      var at = alphabet.indexOf(code.charAt(i));
      if (at < 0) return false;
      if (i < 17) total += (i + 1) * at;
    }
    return alphabet.charAt(total % alphabet.length) === code.charAt(17);
  }
  // FNV-1a: the pair is not kept as written; works on plain-HTTP phones too (no crypto.subtle there)
  function hash(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i += 1) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(36);
  }
  function sentList(roundId) {
    try { return JSON.parse(localStorage.getItem(SENT + roundId) || "[]"); } catch (e) { return []; }
  }
  function remember(roundId, pair) {
    var list = sentList(roundId);
    if (list.indexOf(pair) >= 0) return;
    list.push(pair);
    try { localStorage.setItem(SENT + roundId, JSON.stringify(list)); } catch (e) { /* private mode */ }
  }

  function setup(form) {
    var input = form.querySelector("input[name=card]");
    var box = form.querySelector(".ballot-card");
    var warning = document.getElementById("card-sent-before");
    var problem = document.getElementById("card-problem");
    if (!input || !box || !warning || !problem) return;
    var roundId = form.getAttribute("data-round");
    var code = form.getAttribute("data-code");
    var alphabet = form.getAttribute("data-alphabet");
    function pair() { return hash(clean(input.value) + "|" + code); }
    function check() {
      var code18 = clean(input.value);
      warning.hidden = !(code18 && sentList(roundId).indexOf(pair()) >= 0);
    }
    check();
    input.addEventListener("change", check);
    input.addEventListener("input", function () {
      problem.hidden = true;
      box.classList.remove("invalid");
    });
    form.addEventListener("submit", function (event) {
      var code18 = clean(input.value);
      if (!code18 || !validCard(code18, alphabet)) {
        event.preventDefault(); // the outbox (document listener) sees this and keeps nothing
        problem.textContent = problem.getAttribute(code18 ? "data-l-wrong" : "data-l-missing");
        problem.hidden = false;
        box.classList.add("invalid");
        box.scrollIntoView({ block: "center" });
        input.focus();
        return;
      }
      remember(roundId, pair());
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-outbox=ballot]");
    if (form) setup(form);
  });
})();
