// Makes each <select data-zone-search> of time zones searchable: a search box above it
// keeps only the options that match every word typed (a city, a country or the zone's
// name, in English or in the page's language; accents and case do not matter) and
// selects the first match. The select stays the form's field, so without this script
// the page works as a plain select. The box's label comes from the page (the attribute's
// value), so the script carries no words of its own.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  }

  function enhance(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "_search";
    input.className = "zone-search";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "zone-search-label";
    label.textContent = select.dataset.zoneSearch;

    var entries = Array.prototype.map.call(select.options, function (option) {
      var words = [option.value, option.textContent, option.dataset.search || ""];
      return { option: option, text: fold(words.join(" ")) };
    });

    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var matches = entries.filter(function (entry) {
        var match = words.every(function (word) {
          return entry.text.indexOf(word) !== -1;
        });
        entry.option.hidden = !match;
        return match;
      });
      // A few matches are shown as an open list, so they can be seen without opening it.
      if (words.length && matches.length > 1) {
        select.size = Math.min(matches.length, 8);
      } else {
        select.removeAttribute("size");
      }
      var selected = select.options[select.selectedIndex];
      if (matches.length && (!selected || selected.hidden)) {
        select.value = matches[0].option.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    // Enter in the box moves on to the list instead of sending the form half-filled.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });

    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
  }

  document.querySelectorAll("select[data-zone-search]").forEach(enhance);
})();
