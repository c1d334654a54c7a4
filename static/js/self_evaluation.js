// Self-evaluation page: live total of the scores, and a score out of range marked as typed.
// The server's own marks (a refused save) stay until the user changes that field.
(function () {
  "use strict";
  var form = document.getElementById("self-evaluation-form");
  if (!form) { return; }
  var totalEl = document.getElementById("self-total");
  function cents(value) {
    var n = Number(String(value).replace(",", "."));
    return isFinite(n) && n >= 0 ? Math.round(n * 100) : 0;
  }
  function total() {
    var sum = 0;
    form.querySelectorAll("input.js-score").forEach(function (input) {
      if (input.value !== "") { sum += cents(input.value); }
    });
    totalEl.textContent = (sum / 100).toFixed(2);
  }
  function mark(input) {
    var max = Number(input.getAttribute("max"));
    var bad = input.value !== "" && (!(Number(input.value) >= 0) || Number(input.value) > max);
    input.classList.toggle("is-invalid", bad);
  }
  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("js-score")) { mark(event.target); }
    total();
  });
  total();
})();
