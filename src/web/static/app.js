// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // A marketplace token in the address bar (a proxy turned AWS's POST into a GET and AWS did not
  // answer, so this page holds it in its retry form): take it out of the URL and the history.
  if (window.location.search.indexOf("x-amzn-marketplace-token=") !== -1 && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
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
  // The e-mail pattern of an AWS organization: its two example addresses follow what is typed
  // (the server shows them for the pattern it last saw).
  document.querySelectorAll("[data-email-pattern]").forEach(function (input) {
    var form = input.closest("form");
    var list = form && form.querySelector("[data-email-examples]");
    var shown = form && form.querySelector("[data-email-pattern-shown]");
    if (!list) return;
    var ids = ["1cc0c520-b", "5f067d3a-3"];
    var update = function () {
      var pattern = input.value || input.getAttribute("placeholder") || "";
      var good = pattern.split("%s").length === 2 && /^[^\s@+]+\+%s@[^\s@]+\.[A-Za-z]{2,}$/.test(pattern);
      list.textContent = "";
      if (shown) shown.textContent = pattern;
      ids.forEach(function (id) {
        var item = document.createElement("li");
        var address = pattern.replace("%s", id);
        item.textContent = !good ? "Not a valid pattern yet" :
          address.length > 64 ? address + " (too long: " + address.length + " characters, at most 64)" : address;
        list.appendChild(item);
      });
    };
    input.addEventListener("input", update);
  });
  // Destructive buttons ask first: <button data-confirm="Delete 3 accounts?">.
  // A button with data-confirmed-value sends that value once confirmed here; without this script
  // it sends its own value and the server shows a confirmation page instead.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        event.preventDefault();
      } else if (el.hasAttribute("data-confirmed-value")) {
        el.value = el.getAttribute("data-confirmed-value");
      }
    });
  });
  // Selecting table rows: a header checkbox [data-select-all] for the page, row checkboxes
  // [data-row-select], and a toolbar [data-bulk] that appears with a selection and offers, when
  // the whole page is selected, to act on every row of the list ([data-bulk-all]).
  var bulk = document.querySelector("[data-bulk]");
  if (bulk) {
    var pageBox = document.querySelector("[data-select-all]");
    var rows = Array.prototype.slice.call(document.querySelectorAll("[data-row-select]"));
    var count = bulk.querySelector("[data-bulk-count]");
    var selected = bulk.querySelector("[data-bulk-selected]");
    var everything = bulk.querySelector("[data-bulk-all]");
    var update = function () {
      var n = rows.filter(function (box) { return box.checked; }).length;
      var whole = n > 0 && n === rows.length;
      var noun = n === 1 ? " account" : " accounts";
      bulk.hidden = n === 0;
      if (pageBox) {
        pageBox.checked = whole;
        pageBox.indeterminate = n > 0 && !whole;
      }
      count.textContent = n + noun + " selected" + (whole && rows.length > 1 ? " (this page)" : "");
      selected.textContent = "Delete " + n + " selected";
      selected.setAttribute("data-confirm", "Delete " + n + noun + "? Nothing is deleted if " +
        (n === 1 ? "it is" : "any of them is") + " in Provisioning in progress.");
      if (everything) everything.hidden = !whole;
    };
    rows.forEach(function (box) { box.addEventListener("change", update); });
    if (pageBox) {
      pageBox.addEventListener("change", function () {
        rows.forEach(function (box) { box.checked = pageBox.checked; });
        update();
      });
    }
    count.setAttribute("role", "status");
    update();
  }
  // Long form posts (a large import): show that the work is under way and prevent a second submit.
  document.querySelectorAll("form[data-busy-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var busy = form.querySelector("[data-busy]");
      if (busy) busy.hidden = false;
      form.setAttribute("aria-busy", "true");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
