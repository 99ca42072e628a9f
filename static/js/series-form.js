// On the series form, shows only the fields the chosen repetition needs: the day of the
// week for a weekly series, the day of the month, or the day of the week and which one
// for "the second Tuesday". Without this script every field shows, and the portal
// ignores those the repetition does not use.
(function () {
  "use strict";

  var NEEDS = {
    weekly: ["weekday"],
    monthly_day: ["month_day"],
    monthly_weekday: ["weekday", "week_of_month"],
  };
  var PATTERN_FIELDS = ["weekday", "month_day", "week_of_month"];

  function setUp(select) {
    function fieldOf(name) {
      var input = select.form.elements.namedItem(name);
      return input && input.closest ? input.closest(".field") : null;
    }
    function update() {
      var needed = NEEDS[select.value] || PATTERN_FIELDS;
      PATTERN_FIELDS.forEach(function (name) {
        var field = fieldOf(name);
        if (field) {
          field.hidden = needed.indexOf(name) === -1;
        }
      });
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_frequency");
    if (select && select.form) {
      setUp(select);
    }
  });
})();
