// On forms that set a confidentiality label, shows the organisations to name only when
// the label is "restricted". Without this script both show, and the portal ignores the
// organisations under the other labels.
(function () {
  "use strict";

  function setUp(select) {
    var form = select.form;
    var organisations = form ? form.querySelector("[data-restricted-to]") : null;
    var field = organisations && organisations.closest ? organisations.closest(".field") : null;
    if (!field) {
      return;
    }
    function update() {
      field.hidden = select.value !== "restricted";
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-confidentiality]").forEach(setUp);
  });
})();
