// Keeps a ballot card on this phone (localStorage, one per round), never in a cookie: the server never
// learns which phone holds which card. Progressive enhancement: without it, the card is typed on each form.
(function () {
  "use strict";
  // a group's mine at /m/<code>/ shares the phone's origin with the others: what it keeps carries its address
  var ROOT = document.documentElement.getAttribute("data-root") || "";
  var NS = ROOT ? "@" + ROOT : "";
  var PREFIX = "inspect" + NS + ".card.";
  function store(roundId, code) {
    try { localStorage.setItem(PREFIX + roundId, code); return true; } catch (e) { return false; }
  }
  function stored(roundId) {
    try { return localStorage.getItem(PREFIX + roundId) || ""; } catch (e) { return ""; }
  }
  function clean(text) { return text.toUpperCase().replace(/[\s-]/g, ""); }
  function pretty(code) { return code.match(/.{1,6}/g).join("-"); }

  function cardPage() {
    var saved = document.getElementById("card-saved");
    if (!saved) return;
    var match = /^#(\d+)-([0-9A-Za-z-]{18,24})$/.exec(window.location.hash);
    if (match && store(match[1], pretty(clean(match[2])))) {
      saved.hidden = false;
      var none = document.getElementById("card-none");
      if (none) none.hidden = true;
    }
    // drop the code from the address bar and the history entry
    if (window.location.hash) history.replaceState(null, "", window.location.pathname);
  }

  function formPage() {
    var form = document.querySelector("form[data-round]");
    if (!form) return;
    var input = form.querySelector("input[name=card]");
    var roundId = form.getAttribute("data-round");
    if (input && !input.value) input.value = stored(roundId);
    form.addEventListener("submit", function () {
      if (input && input.value) store(roundId, pretty(clean(input.value)));
    });
  }
  // The card page lists the cards kept here, each with a "forget" button (static/js/memory.js deletes).
  function keptCards() {
    var box = document.getElementById("cards-here");
    if (!box || !window.InspectMemory) return;
    var list = box.querySelector("ul");
    list.textContent = "";
    var ids = window.InspectMemory.cardRounds();
    box.hidden = ids.length === 0;
    ids.forEach(function (id) {
      var li = document.createElement("li");
      var text = box.getAttribute("data-l-card").replace("{id}", id).replace("{tail}", stored(id).slice(-4));
      li.appendChild(document.createTextNode(text + " "));
      var forget = document.createElement("button");
      forget.type = "button";
      forget.className = "button";
      forget.textContent = box.getAttribute("data-l-forget");
      forget.addEventListener("click", function () { window.InspectMemory.forgetCard(id); keptCards(); });
      li.appendChild(forget);
      list.appendChild(li);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { cardPage(); formPage(); keptCards(); });
})();
