// Årshjul – duty form: show only the date fields that the chosen schedule
// uses. Without this file every field is shown and the server ignores the
// ones that do not apply.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".duty-form");
    if (!form) { return; }
    var radios = form.querySelectorAll("input[name=schedule]");
    var parts = form.querySelectorAll(".schedule-part");
    function update() {
      var chosen = form.querySelector("input[name=schedule]:checked");
      parts.forEach(function (part) {
        var kinds = part.getAttribute("data-schedule").split(" ");
        part.hidden = !!chosen && kinds.indexOf(chosen.value) === -1;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
})();
