// Värn – help choosing the form of influence. Two small enhancements:
// 1. The question guide (knowledge/_form_guide.html): a "Ja" ticks the
//    matching box (input name="forms", value = form code or id) and a live
//    region says why; a "Nej" unticks only boxes the guide itself ticked.
// 2. The suggestion under the description (knowledge/_suggestion.html):
//    as the reporter types, the text is sent to /kunskap/forslag/ and the
//    answer is shown with a "Välj …" button. Nothing is ticked automatically.
// Without this file the questions are still readable and nothing breaks.
(function () {
  "use strict";
  if (window.varnGuideLoaded) { return; }
  window.varnGuideLoaded = true;

  function formCheckbox(scope, code, pk) {
    var root = scope.closest("form") || document;
    var boxes = root.querySelectorAll('input[type="checkbox"][name="forms"]');
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].value === code || (pk && boxes[i].value === String(pk))) { return boxes[i]; }
    }
    return null;
  }

  function setChecked(box, value) {
    if (box.checked === value) { return; }
    box.checked = value;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // --- 1. question guide ----------------------------------------------------
  function initGuide(guide) {
    var result = guide.querySelector("[data-guide-result]");
    var questions = guide.querySelectorAll("[data-guide-question]");
    var tickedByGuide = {};

    function render() {
      var yes = [];
      var anyBox = false;
      questions.forEach(function (q) {
        var answer = q.querySelector('input[type="radio"]:checked');
        if (answer && answer.value === "yes") { yes.push(q); }
        if (formCheckbox(guide, q.dataset.form, q.dataset.formPk)) { anyBox = true; }
      });
      result.textContent = "";
      if (!yes.length) { return; }
      result.appendChild(el("p", "guide-result-title",
        anyBox ? result.dataset.textSelected : result.dataset.textSuggested));
      var list = el("ul", "guide-result-list");
      var seen = {};
      yes.forEach(function (q) {
        if (seen[q.dataset.form]) { return; }
        seen[q.dataset.form] = true;
        var item = el("li");
        item.appendChild(el("strong", "", q.dataset.formLabel));
        item.appendChild(document.createTextNode(" – " + q.dataset.reason + " "));
        if (!anyBox && document.getElementById(q.dataset.form)) {
          var link = el("a", "", result.dataset.textRead);
          link.href = "#" + q.dataset.form;
          var hidden = el("span", "visually-hidden", ": " + q.dataset.formLabel);
          link.appendChild(hidden);
          item.appendChild(link);
        }
        list.appendChild(item);
      });
      result.appendChild(list);
    }

    questions.forEach(function (q) {
      var answers = q.querySelector("[data-guide-answers]");
      if (answers) { answers.hidden = false; }
      q.addEventListener("change", function (event) {
        var radio = event.target;
        if (!radio || radio.type !== "radio") { return; }
        var code = q.dataset.form;
        var box = formCheckbox(guide, code, q.dataset.formPk);
        if (box) {
          if (radio.value === "yes") {
            if (!box.checked) { tickedByGuide[code] = true; }
            setChecked(box, true);
          } else if (tickedByGuide[code]) {
            // Another "Ja" may still point at the same form.
            var stillYes = Array.prototype.some.call(questions, function (other) {
              var a = other.querySelector('input[type="radio"]:checked');
              return other !== q && other.dataset.form === code && a && a.value === "yes";
            });
            if (!stillYes) { setChecked(box, false); delete tickedByGuide[code]; }
          }
        }
        render();
      });
    });
  }

  // --- 2. suggestion while typing ---------------------------------------------
  function csrfToken(scope) {
    var input = (scope.closest("form") || document).querySelector('input[name="csrfmiddlewaretoken"]') ||
      document.querySelector('input[name="csrfmiddlewaretoken"]');
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function initSuggest(box) {
    var field = document.getElementById(box.dataset.for);
    if (!field) { return; }
    var timer = null;
    var controller = null;
    var lastText = "";
    var lastKey = "";
    var current = [];

    var quiet = false;

    function stateKey() {
      return current.map(function (s) {
        var cb = formCheckbox(field, s.code, s.pk);
        return s.code + "|" + s.phrase + "|" + (cb && cb.checked ? 1 : 0);
      }).join(";");
    }

    function render(force) {
      var key = stateKey();
      if (!force && key === lastKey) { return; }
      lastKey = key;
      box.textContent = "";
      current.forEach(function (s) {
        var cb = formCheckbox(field, s.code, s.pk);
        var row = el("p", "suggestion-item");
        row.appendChild(el("span", "suggestion-reason", s.reason + " "));
        if (cb && cb.checked) {
          row.appendChild(el("span", "suggestion-done", "(" + s.label + " " + box.dataset.textAlready + ")"));
        } else if (cb) {
          var button = el("button", "button suggestion-button", s.button);
          button.type = "button";
          button.addEventListener("click", function () {
            // Keep this row (and the focus) instead of redrawing on our own change.
            quiet = true;
            setChecked(cb, true);
            quiet = false;
            var done = el("span", "suggestion-done", s.label + " " + box.dataset.textChosen);
            done.tabIndex = -1;
            row.replaceChild(done, button);
            done.focus();
            lastKey = stateKey();
          });
          row.appendChild(button);
        }
        box.appendChild(row);
      });
    }

    function ask() {
      var text = field.value.trim();
      if (text === lastText) { return; }
      lastText = text;
      if (text.length < 12) { current = []; render(); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var body = new FormData();
      body.append("text", text);
      fetch(box.dataset.url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(field), "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      }).then(function (data) {
        current = (data && data.suggestions) || [];
        render();
      }).catch(function () { /* a failed suggestion is simply not shown */ });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 700);
    });
    (field.closest("form") || document).addEventListener("change", function (event) {
      if (!quiet && event.target && event.target.name === "forms") { render(); }
    });
    if (field.value.trim()) { ask(); }
  }

  function init() {
    document.querySelectorAll("[data-form-guide]").forEach(initGuide);
    document.querySelectorAll("[data-form-suggest]").forEach(initSuggest);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
