// Review queue keys: j/k move, c confirm, r reject, s split, u unmatch, / focus the filter.
(function () {
  "use strict";
  var table = document.querySelector("[data-review-queue]");
  if (!table) return;
  var current = 0;
  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-match]")); }
  function select(i) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(i, all.length - 1));
    all.forEach(function (r, n) { r.classList.toggle("selected", n === current); r.setAttribute("aria-selected", n === current); });
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || e.ctrlKey || e.metaKey || e.altKey) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (e.key === "/") { e.preventDefault(); var f = document.querySelector("[data-filter-focus]"); if (f) f.focus(); return; }
    if (e.key === "j") { select(current + 1); return; }
    if (e.key === "k") { select(current - 1); return; }
    var row = rows()[current];
    if (!row) return;
    var button = row.querySelector('[data-key="' + e.key + '"]');
    if (button) { e.preventDefault(); button.click(); }
  });
  document.body.addEventListener("htmx:afterSwap", function () { select(current); });
  select(0);
})();
