// On the new-proposal form, show only the builder of the chosen action. Without this
// script every builder is shown, and only the chosen one is read.
(function () {
  "use strict";
  function update(select) {
    document.querySelectorAll(".action-builder").forEach(function (fieldset) {
      fieldset.hidden = fieldset.dataset.action !== select.value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_action");
    if (!select) { return; }
    update(select);
    select.addEventListener("change", function () { update(select); });
  });
})();
