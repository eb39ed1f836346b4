/* Sortable incident tables: Material for MkDocs' documented set-up, with tablesort vendored
   beside this file. Two-column tables are an incident's facts, not a list, so they stay put. */
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
})();
