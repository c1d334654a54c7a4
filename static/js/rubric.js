// Rubric editor: the sum of the maximum points as staff type (must be 100 to open).
(function () {
  "use strict";
  var totalEl = document.getElementById("rubric-total");
  var rows = document.querySelectorAll(".rubric-row");
  // A locked rubric has no editable rows: keep the server's total.
  if (!totalEl || !rows.length) { return; }
  function update() {
    var sum = 0;
    rows.forEach(function (row) {
      var points = row.querySelector("input[name$='-max_points']");
      var del = row.querySelector("input[name$='-DELETE']");
      var title = row.querySelector("input[name$='-title']");
      if (points && points.value !== "" && !(del && del.checked) && title && title.value !== "") {
        sum += Math.round(Number(points.value) * 100) || 0;
      }
    });
    totalEl.textContent = (sum / 100).toFixed(2);
    totalEl.classList.toggle("text-success", sum === 10000);
    totalEl.classList.toggle("text-danger", sum !== 10000);
  }
  document.addEventListener("input", update);
  document.addEventListener("change", update);
  update();
})();
