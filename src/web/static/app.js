// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // Dismissible flash messages.
  document.querySelectorAll("[data-dismiss]").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = button.closest(".flash");
      if (box) box.remove();
    });
  });
  // Pages showing running work ask to be refreshed: <body data-refresh-seconds="3">.
  var refresh = document.body.getAttribute("data-refresh-seconds");
  if (refresh) {
    window.setTimeout(function () { window.location.reload(); }, Math.max(1, Number(refresh)) * 1000);
  }
  // A secret shown once (a new API token) is selected whole when focused, ready to copy.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  // Destructive buttons ask first: <button data-confirm="Delete 3 accounts?">.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
