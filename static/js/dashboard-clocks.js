// Crisis Desk: the dashboard reads its clocks again every minute without reloading the page.
// The server renders the open incidents with their clocks (crisis/clocks.py decides every
// deadline); this only fetches that fragment and swaps it in. Without JavaScript the page keeps
// the clocks of when it was loaded, and a reload brings them up to date.
(function () {
  "use strict";

  var REGION = "open-incidents";

  function schedule(region) {
    var seconds = parseFloat(region.getAttribute("data-refresh-seconds"));
    if (!(seconds > 0)) seconds = 60;
    window.setTimeout(refresh, seconds * 1000);
  }

  function refresh() {
    var region = document.getElementById(REGION);
    if (!region) return;
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
        if (html) swap(region, html);
      })
      .catch(function () {})
      .then(function () {
        schedule(document.getElementById(REGION) || region);
      });
  }

  function swap(region, html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(REGION);
    if (!fresh) return;
    // Someone moving through the list with the keyboard keeps their place: wait for the next
    // round rather than take the focused link away from under them.
    if (region.contains(document.activeElement) && document.activeElement !== document.body) {
      return;
    }
    region.replaceWith(document.importNode(fresh, true));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById(REGION);
    if (region && region.getAttribute("data-refresh-url")) schedule(region);
  });
})();
