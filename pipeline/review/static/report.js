"use strict";
// The report's only behaviour: filter the case list, open or close every case.
(function () {
  var cases = Array.prototype.slice.call(document.querySelectorAll("details.case"));
  var filter = document.getElementById("filter");
  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    cases.forEach(function (item) {
      var text = item.getAttribute("data-search") + " " + item.textContent.toLowerCase();
      item.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
  });
  function setAll(open) {
    cases.forEach(function (item) { if (!item.hidden) { item.open = open; } });
  }
  document.getElementById("expand").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse").addEventListener("click", function () { setAll(false); });
  document.querySelectorAll("a[data-case]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var id = link.getAttribute("data-case");
      var target = cases.filter(function (c) { return c.getAttribute("data-case-id") === id; })[0];
      if (target) {
        event.preventDefault();
        target.hidden = false;
        target.open = true;
        target.scrollIntoView({ block: "start" });
      }
    });
  });
})();
