// meterport's only script: progressive enhancements that the pages work without.
// Loaded from the same origin (the CSP forbids inline script).
(function () {
  "use strict";
  // Forms or buttons with data-confirm ask before submitting (deleting groups, logout of
  // all sessions); without script the server asks on a confirmation page instead.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var message = form.getAttribute("data-confirm");
    if (e.submitter && e.submitter.getAttribute("data-confirm")) {
      message = e.submitter.getAttribute("data-confirm");
    }
    if (message && !window.confirm(message)) {
      e.preventDefault();
    }
  });
  // Select elements marked data-autosubmit submit their form when changed.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });
})();
