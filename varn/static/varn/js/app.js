// Värn – small progressive enhancements. The pages work without this file.
(function () {
  "use strict";
  // Move focus to an error summary so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
