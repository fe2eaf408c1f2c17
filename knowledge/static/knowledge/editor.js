// Värn – live preview while an article is edited. The "Förhandsgranska"
// button works without this file; this adds a preview that follows typing,
// rendered and sanitised by the server exactly as the article page is.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("[data-kb-editor]");
    if (!form) { return; }
    var body = form.querySelector('textarea[name="body"]');
    var panel = form.querySelector("[data-kb-live-preview]");
    var target = form.querySelector("[data-kb-preview-body]");
    var url = form.dataset.previewUrl;
    if (!body || !panel || !target || !url) { return; }
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
    var timer = null;
    var last = null;
    function refresh() {
      if (body.value === last) { return; }
      last = body.value;
      var data = new FormData();
      data.append("body", body.value);
      fetch(url, { method: "POST", body: data, credentials: "same-origin",
                   headers: { "X-CSRFToken": token } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
        .then(function (html) {
          // Sanitised by nh3 on the server (knowledge/rendering.py).
          target.innerHTML = html;
          panel.hidden = false;
        })
        .catch(function () { panel.hidden = true; });
    }
    body.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 800);
    });
    refresh();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else { init(); }
})();
