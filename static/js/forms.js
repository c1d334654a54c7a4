// Every page: a form is sent once. A second click (a double click, an impatient user)
// while the first request is on its way is ignored, so that an objection, a ballot or a
// decision is not sent twice and the user does not see the second request's refusal.
// The guard lifts when the page is shown again (the back button) and after ten seconds
// (a form that answers with a download keeps the page open).
(function () {
  "use strict";
  var GUARD_MS = 10000;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) { return; }  // another script stopped it: nothing was sent
    if (form.dataset.sentAt && Date.now() - Number(form.dataset.sentAt) < GUARD_MS) {
      event.preventDefault();
      return;
    }
    form.dataset.sentAt = String(Date.now());
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent-at]").forEach(function (form) {
      delete form.dataset.sentAt;
    });
  });
})();
