// Crisis Desk: counts a statement's characters against each ticked platform's limit while typing.
// The server refuses a body that is too long anyway; this only says so sooner.
(function () {
  "use strict";

  function init() {
    var body = document.querySelector("textarea[data-length-limits]");
    var list = document.querySelector("[data-length-counter]");
    var alert = document.querySelector("[data-length-alert]");
    if (!body || !list) return;
    var limits = JSON.parse(body.getAttribute("data-length-limits"));
    var labels = JSON.parse(body.getAttribute("data-platform-labels"));
    var boxes = body.form.querySelectorAll('input[name="target_platforms"]');
    var lastTooLong = "";

    function n(number) {
      return number.toLocaleString("en-GB");
    }

    function item(text, className) {
      var li = document.createElement("li");
      li.textContent = text;
      li.className = className;
      return li;
    }

    function render() {
      // Code points, as the server counts (an emoji is one); the server also trims the ends.
      var length = Array.from(body.value.trim()).length;
      var items = [];
      var tooLong = [];
      boxes.forEach(function (box) {
        if (!box.checked) return;
        var label = labels[box.value] || box.value;
        var limit = limits[box.value];
        if (!limit) {
          items.push(item(label + ": " + n(length) + " characters, no limit", "text-body-secondary"));
        } else if (length > limit) {
          tooLong.push(label);
          items.push(item(label + ": " + n(length - limit) + " too many (" + n(length) + " of " + n(limit) + ")",
            "text-danger fw-semibold"));
        } else {
          items.push(item(label + ": " + n(limit - length) + " left (" + n(length) + " of " + n(limit) + ")",
            limit - length < limit / 10 ? "text-warning-emphasis" : "text-success"));
        }
      });
      if (!items.length) items.push(item("Tick a platform to see its limit.", "text-body-secondary"));
      list.replaceChildren.apply(list, items);
      // Screen readers hear only when the set of platforms it is too long for changes.
      var now = tooLong.join(", ");
      if (alert && now !== lastTooLong) {
        alert.textContent = now ? "Too long for " + now + "." : "Fits every platform.";
        lastTooLong = now;
      }
    }

    body.addEventListener("input", render);
    boxes.forEach(function (box) { box.addEventListener("change", render); });
    render();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
