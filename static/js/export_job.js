// Export job page: moves the progress bar without a reload by polling the job's JSON
// status every second, and offers the file once it is made (docs/reports.md §6). The
// page works without it: its "refresh" link reloads, the server shows the same state.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var bar = document.getElementById("export-bar");
  var meter = document.getElementById("export-progress");
  var percent = document.getElementById("export-percent");
  var status = document.getElementById("export-status");
  var error = document.getElementById("export-error");
  var notice = document.getElementById("export-notice");
  var link = document.getElementById("export-download");
  var refresh = document.getElementById("export-refresh");
  var COLOURS = { queued: "secondary", running: "primary", done: "success", failed: "danger" };

  function show(state) {
    var value = Math.max(0, Math.min(100, state.progress));
    bar.style.width = value + "%";
    meter.setAttribute("aria-valuenow", String(value));
    percent.textContent = value + "%";
    var badge = document.createElement("span");
    badge.className = "badge text-bg-" + (COLOURS[state.status] || "secondary");
    badge.textContent = state.label;
    status.replaceChildren(badge);
    var finished = state.status === "done" || state.status === "failed";
    if (finished) {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      if (state.status === "done") { bar.classList.add("bg-success"); }
      refresh.classList.add("d-none");
    }
    notice.textContent = state.notice || "";
    notice.classList.toggle("d-none", !state.notice);
    if (state.status === "failed") {
      bar.classList.add("bg-danger");
      error.textContent = state.error;
      error.classList.remove("d-none");
      document.getElementById("export-again").classList.remove("d-none");
    }
    if (state.download) {
      link.href = state.download;
      link.classList.remove("d-none");
    }
    return finished;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && show(state)) { return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }

  bar.style.width = Math.max(0, Math.min(100, parseInt(box.dataset.progress, 10) || 0)) + "%";
  var initial = box.dataset.status;
  if (initial !== "done" && initial !== "failed") { window.setTimeout(poll, 1000); }
})();
