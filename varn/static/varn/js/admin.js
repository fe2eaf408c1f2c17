/* Names for the admin's autocomplete boxes. Select2 hides the real <select>
   and draws a combobox that neither the field's <label> nor the input's
   aria-label reaches, so screen readers (and axe) meet an unnamed box. Each
   combobox is labelled by the field's name followed by its current choice,
   and the search field of its list by the field's name, whenever Select2
   draws them (on load, when a row is added, when a list opens). */
(function () {
  "use strict";

  // The id of an element holding the field's name: its <label>, or a hidden
  // span with the select's aria-label where the admin draws no label (rows of
  // a table).
  function nameId(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      if (!label.id) {
        label.id = select.id + "-label";
      }
      return label.id;
    }
    var text = select.getAttribute("aria-label");
    if (!text || !select.id) {
      return null;
    }
    var id = select.id + "-name";
    if (!document.getElementById(id)) {
      var span = document.createElement("span");
      span.id = id;
      span.hidden = true;
      span.textContent = text;
      select.parentNode.insertBefore(span, select);
    }
    return id;
  }

  function name(container) {
    var select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") {
      return;
    }
    var id = nameId(select);
    var combobox = container.querySelector(".select2-selection[role=combobox]");
    var rendered = container.querySelector(".select2-selection__rendered");
    if (!id || !combobox || !rendered || !rendered.id) {
      return;
    }
    combobox.setAttribute("aria-labelledby", id + " " + rendered.id);
    rendered.setAttribute("aria-labelledby", id);
  }

  // The search field of an open box's list, which Select2 attaches to the
  // end of the page: named like its box (aria-controls="select2-<id>-results").
  function nameSearch(input) {
    var match = /^select2-(.+)-results$/.exec(input.getAttribute("aria-controls") || "");
    var select = match && document.getElementById(match[1]);
    var id = select && nameId(select);
    if (id) {
      input.setAttribute("aria-labelledby", id);
    }
  }

  function nameAll(root) {
    if (root.nodeType !== 1) {
      return;
    }
    if (root.matches(".select2-container")) {
      name(root);
    }
    root.querySelectorAll(".select2-container").forEach(name);
    root.querySelectorAll(".select2-search__field").forEach(nameSearch);
  }

  function start() {
    nameAll(document.body);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(nameAll);
      });
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
