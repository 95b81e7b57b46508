// Progressive enhancement only: every page works without this file.
// Score sheet: big −/+ buttons around each defect count; 不适用 disables the count it replaces.
(function () {
  "use strict";
  function enhanceStepper(box) {
    var input = box.querySelector("input[type=number]");
    if (!input || box.dataset.enhanced) return;
    box.dataset.enhanced = "1";
    function button(text, delta, label) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", function () {
        var max = input.max === "" ? Infinity : Number(input.max);
        var next = Math.min(max, Math.max(0, (parseInt(input.value, 10) || 0) + delta));
        input.value = String(next);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      return b;
    }
    box.insertBefore(button("−", -1, box.dataset.less || "−1"), input);
    box.appendChild(button("+", 1, box.dataset.more || "+1"));
  }
  function linkNotApplicable(item) {
    var na = item.querySelector("input[type=checkbox][name^='na-']");
    var input = item.querySelector("input[type=number]");
    if (!na || !input) return;
    var sync = function () {
      input.disabled = na.checked;
      item.querySelectorAll(".stepper button").forEach(function (b) { b.disabled = na.checked; });
    };
    na.addEventListener("change", sync);
    sync();
  }
  function init(root) {
    root.querySelectorAll(".stepper").forEach(enhanceStepper);
    root.querySelectorAll(".sheet .item").forEach(linkNotApplicable);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();

// The service worker keeps the app and downloaded rounds for underground use (see templates/offline/sw.js).
// High-contrast theme: a cookie the server reads too; flipped here in place so it works offline.
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      // a group's mine at /m/<code>/ has its own worker, scoped to its own pages (data-root, base.html)
      var root = document.documentElement.getAttribute("data-root") || "";
      navigator.serviceWorker.register(root + "/sw.js", { scope: root + "/" }).catch(function () {});
    });
  }
  function themeCookie() {
    var m = /(?:^|;\s*)theme=(default|contrast)/.exec(document.cookie);
    return m ? m[1] : "default";
  }
  function apply(theme) {
    document.documentElement.setAttribute("data-theme", theme);
    document.querySelectorAll("[data-theme-toggle]").forEach(function (link) {
      link.textContent = theme === "contrast" ? link.dataset.on : link.dataset.off;
      link.setAttribute("aria-pressed", String(theme === "contrast"));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    apply(themeCookie()); // a page kept offline was rendered with whatever theme was on then
    document.querySelectorAll("[data-theme-toggle]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var next = themeCookie() === "contrast" ? "default" : "contrast";
        document.cookie = "theme=" + next + "; path=/; max-age=31536000; samesite=lax";
        apply(next);
      });
    });
  });
})();
// Post form: narrow the roster to the chosen unit and to what is typed in the search box (name, job, 工号).
(function () {
  "use strict";
  function enhance(box) {
    var input = box.querySelector("[data-filter-input]");
    var unit = document.getElementById("unit_id");
    var people = box.querySelectorAll(".person");
    function apply() {
      var words = (input ? input.value : "").trim().toLowerCase().split(/\s+/).filter(Boolean);
      people.forEach(function (p) {
        var text = (p.dataset.search || "").toLowerCase();
        var ticked = p.querySelector("input[type=checkbox]").checked;
        var inUnit = !unit || p.dataset.unit === unit.value;
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        p.hidden = !(inUnit && (match || ticked));
      });
    }
    if (input) input.addEventListener("input", apply);
    if (unit) unit.addEventListener("change", apply);
    apply();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-people-filter]").forEach(enhance);
  });
})();

// A long step (封箱 computes every result): say it is working, and never send it twice.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.busy) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var note = document.createElement("p");
    note.setAttribute("role", "status");
    note.className = "busy";
    note.textContent = form.dataset.busy;
    form.appendChild(note);
  });
})();
