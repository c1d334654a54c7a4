// Self-evaluation page: live total of the scores, confirmation before submitting.
(function () {
  "use strict";
  var form = document.getElementById("self-evaluation-form");
  if (!form) { return; }
  var totalEl = document.getElementById("self-total");
  function cents(value) {
    var n = Number(String(value).replace(",", "."));
    return isFinite(n) && n >= 0 ? Math.round(n * 100) : 0;
  }
  function update() {
    var sum = 0;
    form.querySelectorAll("input.js-score").forEach(function (input) {
      if (input.value !== "") { sum += cents(input.value); }
      var max = Number(input.getAttribute("max"));
      var bad = input.value !== "" && (!(Number(input.value) >= 0) || Number(input.value) > max);
      input.classList.toggle("is-invalid", bad);
    });
    totalEl.textContent = (sum / 100).toFixed(2);
  }
  form.addEventListener("input", update);
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
  update();
})();
