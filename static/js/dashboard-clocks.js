// Crisis Desk: parts of a page that read themselves again without reloading the page: the
// dashboard's clocks and mention spikes, an incident's mentions, an import's progress.
// Each such part has an id, data-refresh-url (where the server renders it again alone) and
// data-refresh-seconds. The server decides everything shown (crisis/clocks.py for every
// deadline); this only fetches the fragment and swaps it in. A fragment that comes back without
// data-refresh-url is final (an import that finished) and is not read again. Without JavaScript
// the page keeps what it showed when loaded, and a reload brings it up to date.
(function () {
  "use strict";

  function schedule(id, seconds) {
    if (!(seconds > 0)) seconds = 60;
    window.setTimeout(function () {
      refresh(id);
    }, seconds * 1000);
  }

  function refresh(id) {
    var region = document.getElementById(id);
    if (!region || !region.getAttribute("data-refresh-url")) return;
    var seconds = parseFloat(region.getAttribute("data-refresh-seconds"));
    fetch(region.getAttribute("data-refresh-url"), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        // Signed out meanwhile (a redirect to the login page) or a server error: keep what is
        // shown and try again later.
        if (!response.ok || response.redirected) return null;
        return response.text();
      })
      .then(function (html) {
        if (html) swap(id, html);
      })
      .catch(function () {})
      .then(function () {
        var now = document.getElementById(id);
        if (now && now.getAttribute("data-refresh-url")) schedule(id, seconds);
      });
  }

  function swap(id, html) {
    var region = document.getElementById(id);
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
    if (!region || !fresh) return;
    // Someone moving through the part with the keyboard keeps their place: wait for the next
    // round rather than take the focused link away from under them.
    if (region.contains(document.activeElement) && document.activeElement !== document.body) {
      return;
    }
    region.replaceWith(document.importNode(fresh, true));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh-url][id]").forEach(function (region) {
      schedule(region.id, parseFloat(region.getAttribute("data-refresh-seconds")));
    });
  });
})();
