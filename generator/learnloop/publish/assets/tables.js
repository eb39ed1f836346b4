/* The site's behaviour. Sortable incident tables: Material for MkDocs' documented set-up,
   with tablesort vendored beside this file; two-column tables are an incident's facts, not a
   list, so they stay put. And the home page's search box, which opens the site search. */
(function () {
  function minutes(text) {
    var m = /^(?:(\d+) d )?(?:(\d+) h )?(\d+) min$/.exec(text.trim());
    return m ? (+(m[1] || 0)) * 1440 + (+(m[2] || 0)) * 60 + (+m[3]) : Number.MAX_VALUE;
  }
  function number(text) {
    return parseInt(text.replace(/,/g, ""), 10);
  }
  // Durations ("7 min", "1 h 05 min") by length, unknown ("—") last; counts as numbers.
  Tablesort.extend("duration", function (item) {
    return /^(?:(?:\d+ d )?(?:\d+ h )?\d+ min|—)$/.test(item.trim());
  }, function (a, b) {
    return minutes(b) - minutes(a);
  });
  Tablesort.extend("count", function (item) {
    return /^\d[\d,]*$/.test(item.trim());
  }, function (a, b) {
    return number(b) - number(a);
  });
  document$.subscribe(function () {
    document.querySelectorAll("article table:not([class])").forEach(function (table) {
      var head = table.tHead && table.tHead.rows[0];
      if (head && head.cells.length > 2) {
        new Tablesort(table);
      }
    });
  });
  // The home page's box is the theme's search, made big: focusing or typing in it opens
  // the search with what was typed, where results show as the theme draws them.
  document$.subscribe(function () {
    var box = document.getElementById("ll-search-box");
    var form = box && box.form;
    if (!box) {
      return;
    }
    function open() {
      var toggle = document.querySelector('input[data-md-toggle="search"]');
      var input = document.querySelector("input.md-search__input");
      if (!toggle || !input) {
        return;
      }
      input.value = box.value;
      box.value = "";
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
      input.focus();
      input.dispatchEvent(new KeyboardEvent("keyup"));
    }
    box.addEventListener("focus", open);
    box.addEventListener("input", open);
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        open();
      });
    }
  });
})();
