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
  // The phone's menu button is a checkbox (it works without script); tell assistive
  // technology whether the menu is open, and let Escape close it.
  var menuToggle = document.getElementById("menu-toggle");
  if (menuToggle) {
    var syncMenu = function () {
      menuToggle.setAttribute("aria-expanded", menuToggle.checked ? "true" : "false");
    };
    menuToggle.addEventListener("change", syncMenu);
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menuToggle.checked) {
        menuToggle.checked = false;
        syncMenu();
      }
    });
    syncMenu();
  }
  // Counter tables scroll inside their box, the headings and the name column sticky (CSS);
  // the Total row sits right under the headings, whose height depends on their text, so it
  // is measured here and kept up to date. Without script the Total row scrolls away.
  function stickTotals() {
    document.querySelectorAll("table.counters-table").forEach(function (table) {
      if (!table.tHead || !table.querySelector("tbody tr.total")) {
        return;
      }
      table.style.setProperty("--head-height", table.tHead.getBoundingClientRect().height + "px");
      table.classList.add("sticky-total");
    });
  }
  // A table or graph wider than the screen scrolls sideways inside its frame; say so above
  // it (the words come from the page, in its language) while it does not fit.
  var hintText = document.body.getAttribute("data-scroll-hint");
  function scrollHints() {
    if (!hintText) {
      return;
    }
    document.querySelectorAll(".counters-wrap, figure.chart").forEach(function (box) {
      var hint = box.previousElementSibling;
      var has = hint && hint.classList.contains("scroll-hint");
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !has) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = hintText;
        box.parentNode.insertBefore(hint, box);
      } else if (!overflows && has) {
        hint.remove();
      }
    });
  }
  function layout() {
    stickTotals();
    scrollHints();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", layout);
  } else {
    layout();
  }
  window.addEventListener("resize", layout);
  window.addEventListener("load", layout);
  // The headings' height changes when the web fonts arrive, or a heading wraps.
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(layout);
  }
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(stickTotals);
    document.querySelectorAll("table.counters-table thead").forEach(function (head) {
      observer.observe(head);
    });
  }
  // Select elements marked data-autosubmit submit their form when changed.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });
})();
