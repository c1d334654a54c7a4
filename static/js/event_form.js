// Event form: show only the fields the chosen type uses (the server checks them anyway).
(function () {
  "use strict";
  var form = document.getElementById("event-form");
  if (!form) { return; }
  var type = form.querySelector("[data-event-type]");
  var uses = {
    commendation: ["level"], media_article: ["level"], innovation: ["level"],
    criticism: ["issuer", "count"], leader_discipline: ["severity", "count"],
    member_violation: ["count"], absence: ["count"]
  };
  function wrapper(el) { return el.closest(".mb-3") || el.parentElement; }
  function update() {
    var wanted = uses[type.value] || [];
    form.querySelectorAll("[data-event-field]").forEach(function (el) {
      wrapper(el).hidden = wanted.indexOf(el.dataset.eventField) === -1;
    });
  }
  type.addEventListener("change", update);
  update();
})();
