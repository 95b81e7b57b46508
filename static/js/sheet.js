// Score sheet at full size (field/_items.html): a sticky bar with the running score and the items entered,
// "only items with deductions" to review before sending, and typed counts kept within each rule's limit.
// The score is computed as the server does (domain/scoring.py): each item loses Σ count × amount (all its
// points for 不得分), at most its points; 不适用 leaves both sides; a veto that occurred makes it 0; the rate
// is kept / applicable × 100. The server's figure is the one stored; this one only guides.
// Progressive enhancement: without this file the form is a plain form with anchors to each section.
(function () {
  "use strict";

  function number(text) { var n = parseFloat(text); return isFinite(n) ? n : 0; }

  function itemState(item) {
    var max = number(item.dataset.max);
    var na = item.querySelector("input[name^='na-']");
    if (na && na.checked) return { max: max, applicable: false, lost: 0, veto: false };
    var lost = 0;
    var veto = false;
    item.querySelectorAll("input[data-amount]").forEach(function (input) {
      lost += number(input.dataset.amount) * Math.max(0, parseInt(input.value, 10) || 0);
    });
    item.querySelectorAll("input[type=checkbox][data-kind]").forEach(function (box) {
      if (!box.checked) return;
      if (box.dataset.kind === "whole") lost += max;
      else veto = true;
    });
    return { max: max, applicable: true, lost: Math.min(lost, max), veto: veto };
  }

  function clamp(input) {
    var raw = input.value.trim();
    var max = input.max === "" ? Infinity : Number(input.max);
    var value = Math.floor(number(raw));
    var next = Math.min(max, Math.max(0, value));
    if (raw === String(next)) return;
    input.value = String(next);
    var note = input.parentNode.querySelector(".clamped");
    if (!note) {
      note = document.createElement("p");
      note.className = "clamped muted";
      note.setAttribute("role", "status");
      input.parentNode.appendChild(note);
    }
    note.textContent = (input.form.dataset.clampText || "{n}").replace("{n}", String(next));
  }

  function enhance(form) {
    var bar = document.getElementById("sheet-bar");
    var running = document.getElementById("running");
    var answered = document.getElementById("answered");
    var toggle = document.getElementById("only-lost");
    var items = Array.prototype.slice.call(form.querySelectorAll("fieldset.item[data-max]"));
    if (!bar || !items.length) return;
    form.dataset.clampText = running.dataset.clamp || "{n}";
    function entered(item) {
      if (item.dataset.touched) return true;
      var s = itemState(item);
      var remark = item.querySelector("textarea");
      return !s.applicable || s.lost > 0 || s.veto || Boolean(remark && remark.value.trim());
    }
    function update() {
      var applicable = 0, lost = 0, veto = false, done = 0;
      items.forEach(function (item) {
        var s = itemState(item);
        if (s.applicable) { applicable += s.max; lost += s.lost; }
        veto = veto || s.veto;
        item.classList.toggle("lost", s.lost > 0 || s.veto);
        if (entered(item)) done += 1;
      });
      form.querySelectorAll("section.sec").forEach(function (sec) {
        sec.classList.toggle("has-lost", Boolean(sec.querySelector(".item.lost")));
      });
      var score = veto ? 0 : applicable ? (applicable - lost) / applicable * 100 : 100;
      running.textContent = (Math.round(score * 100 + 1e-9) / 100).toFixed(2) + " " + running.dataset.unit;
      running.classList.toggle("danger", veto);
      answered.textContent = answered.dataset.text.replace("{n}", done).replace("{total}", items.length);
    }
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches && target.matches("input[type=number]")) clamp(target);
      var item = target.closest && target.closest("fieldset.item");
      if (item) item.dataset.touched = "1";
      update();
    });
    form.addEventListener("input", function (event) {
      var item = event.target.closest && event.target.closest("fieldset.item");
      if (item && event.target.type !== "number") item.dataset.touched = "1";
      update();
    });
    // a count typed and sent without leaving the box is clamped too
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[type=number]:not(:disabled)").forEach(function (input) {
        if (input === document.activeElement) clamp(input);
      });
    }, true);
    toggle.addEventListener("click", function () {
      var on = !form.classList.contains("only-lost");
      form.classList.toggle("only-lost", on);
      toggle.setAttribute("aria-pressed", String(on));
      toggle.textContent = on ? toggle.dataset.on : toggle.dataset.off;
      if (on) window.scrollTo(0, form.offsetTop);
    });
    form.querySelectorAll("input[type=file][name^='photo-']").forEach(function (input) {
      var label = form.querySelector("label[for='" + input.id + "']");
      if (!label) return;
      var plain = label.textContent;
      input.addEventListener("change", function () {
        var n = input.files ? input.files.length : 0;
        label.textContent = n ? plain + " (" + n + ")" : plain;
        label.classList.toggle("primary", n > 0);
      });
    });
    bar.hidden = false;
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.sheet");
    if (form) enhance(form);
    var problems = document.getElementById("problems");
    if (problems) problems.focus();
  });
})();
