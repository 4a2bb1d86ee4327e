// Crisis Desk: keeps relative times ("12 min ago", "in 5 min") fresh while a page stays open.
(function () {
  "use strict";

  function describe(seconds) {
    var s = Math.abs(Math.round(seconds));
    var days = Math.floor(s / 86400);
    var hours = Math.floor((s % 86400) / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    if (days) return days + " day" + (days === 1 ? "" : "s") + (hours ? " " + hours + " h" : "");
    if (hours) return hours + " h" + (minutes ? " " + minutes + " min" : "");
    if (minutes) return minutes + " min";
    return "less than a minute";
  }

  function refresh() {
    var now = Date.now();
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      var seconds = (at - now) / 1000;
      if (Math.abs(seconds) < 60) {
        el.textContent = "just now";
      } else {
        el.textContent = seconds > 0 ? "in " + describe(seconds) : describe(seconds) + " ago";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setInterval(refresh, 30000);
  });
})();
