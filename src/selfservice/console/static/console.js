// The queue refreshes its rows every few seconds (the table's data-refresh), keeping the
// page, the filters and the keyboard focus where they are.
(function () {
  "use strict";
  var table = document.querySelector("table[data-refresh]");
  if (!table) { return; }
  var seconds = parseInt(table.getAttribute("data-refresh"), 10) || 15;
  var url = table.getAttribute("data-rows");
  var body = table.querySelector("tbody");
  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw new Error("signed out"); }
        return r.text();
      })
      .then(function (html) {
        if (body.contains(document.activeElement)) { return; }
        body.innerHTML = html;
      })
      .catch(function () { /* keep the rows we have */ });
  }
  window.setInterval(refresh, seconds * 1000);
}());
