/* The survey's follow-up questions (how many times, reported, why not) are
   shown only after "Ja". Without JavaScript they are always shown. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey-form]");
  if (!form) { return; }
  var groups = form.querySelectorAll("[data-followups-for]");
  Array.prototype.forEach.call(groups, function (group) {
    var name = group.getAttribute("data-followups-for");
    var radios = form.querySelectorAll("input[type=radio][name='" + name + "']");
    var hint = group.querySelector(".survey-nojs");
    if (hint) { hint.hidden = true; }
    function update() {
      var yes = form.querySelector("input[type=radio][name='" + name + "'][value=yes]");
      group.hidden = !(yes && yes.checked);
    }
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", update); });
    update();
  });
}());
