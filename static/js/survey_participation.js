// The branch's survey page while the survey is open: the participation bar takes its
// width from its data-percent (no inline style: docs/nonfunctional.md §7, the content
// security policy), and the counts refresh every 15 seconds from the JSON of
// scoring:survey_participation. Without it the page shows the same figures as text.
(function () {
  "use strict";
  var box = document.getElementById("participation");
  if (!box) { return; }
  var bar = box.querySelector('[data-field="bar"]');
  var meter = box.querySelector('[data-field="meter"]');

  function show(percent, enough) {
    var value = Math.max(0, Math.min(100, parseInt(percent, 10) || 0));
    bar.style.width = value + "%";
    bar.textContent = value + "%";
    meter.setAttribute("aria-valuenow", String(value));
    if (enough !== undefined) {
      bar.className = "progress-bar " + (enough ? "bg-success" : "bg-warning text-dark");
    }
  }

  function refresh() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        box.querySelector('[data-field="members"]').textContent = d.members_voted + " / " + d.electorate;
        box.querySelector('[data-field="public"]').textContent = d.public_voted + " / " + d.public_issued;
        box.querySelector('[data-field="percent"]').textContent = d.percent;
        show(d.percent, d.enough);
      })
      .catch(function () {});
  }

  show(bar.dataset.percent);
  if (box.dataset.url) { setInterval(refresh, 15000); }
})();
