// Every page: the language drop-down sends its form when a language is picked (no inline
// handler: docs/nonfunctional.md §7, the content security policy). Without it the
// <noscript> button sends the form.
(function () {
  "use strict";
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
