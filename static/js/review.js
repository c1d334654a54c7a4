// Review page: the live total of the scores as they are typed (the server computes the
// stored one). Submitting needs the confirmation box, checked by the server.
(function () {
  "use strict";
  var out = document.getElementById("review-total");
  if (!out) { return; }
  var inputs = document.querySelectorAll("input.review-score");
  function update() {
    var cents = 0;
    inputs.forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { cents += Math.round(value * 100); }
    });
    out.textContent = (cents / 100).toFixed(2);
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
})();
