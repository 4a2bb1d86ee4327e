// Crisis Desk: inserts an approved line into the text being drafted, at the cursor
// (templates/lines/_offer.html). Without this script the lines are text to copy.
(function () {
  "use strict";

  function init() {
    document.querySelectorAll("[data-lines-offer]").forEach(function (offer) {
      var target = document.getElementById(offer.getAttribute("data-target"));
      if (!target) return;
      offer.querySelectorAll("[data-insert-line]").forEach(function (button) {
        var line = button.closest("li").querySelector("[data-line-text]");
        button.hidden = false;
        button.addEventListener("click", function () {
          var text = line.textContent;
          var start = target.selectionStart;
          var end = target.selectionEnd;
          target.focus();
          target.setRangeText(text, start, end, "end");
          // The length counter and anything else listening hear of the change.
          target.dispatchEvent(new Event("input", { bubbles: true }));
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
