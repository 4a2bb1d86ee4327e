// Crisis Desk: estimates a statement's length on each ticked platform while typing.
// The server counts exactly (responses/lengths.py) and refuses a body that is too long; this only
// says so sooner. Plain platforms count characters, which the browser counts the same way. X
// (weighted: a link 23, most emoji 2) and Bluesky and Threads (what a reader sees as one
// character) are estimated here, and the counter says "about" for them rather than promise a fit.
(function () {
  "use strict";

  // A web address: with a scheme, or a bare domain. Trailing punctuation is not part of it.
  var URL_PATTERN = /\bhttps?:\/\/[^\s]+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?:\/[^\s]*)?/gi;
  var TRAILING = /[.,;:!?)\]'"]+$/;
  var PICTOGRAPH = /\p{Extended_Pictographic}/u;

  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
    : null;

  function graphemes(text) {
    if (!segmenter) return Array.from(text);
    return Array.from(segmenter.segment(text), function (part) { return part.segment; });
  }

  function weightedLength(text, weights) {
    var total = 0;
    var rest = text.normalize("NFC").replace(URL_PATTERN, function (url) {
      total += weights.urlLength;
      var trailing = url.match(TRAILING);
      return trailing ? trailing[0] : "";
    });
    graphemes(rest).forEach(function (cluster) {
      if (PICTOGRAPH.test(cluster)) {
        total += weights.defaultWeight;
        return;
      }
      Array.from(cluster).forEach(function (character) {
        var point = character.codePointAt(0);
        var weight = weights.defaultWeight;
        weights.ranges.forEach(function (range) {
          if (point >= range[0] && point <= range[1]) weight = range[2];
        });
        total += weight;
      });
    });
    return total;
  }

  function init() {
    var body = document.querySelector("textarea[data-length-limits]");
    var list = document.querySelector("[data-length-counter]");
    var alert = document.querySelector("[data-length-alert]");
    if (!body || !list) return;
    var limits = JSON.parse(body.getAttribute("data-length-limits"));
    var counting = JSON.parse(body.getAttribute("data-length-counting") || "{}");
    var weights = JSON.parse(body.getAttribute("data-x-weights") || "null");
    var labels = JSON.parse(body.getAttribute("data-platform-labels"));
    // The promise of the next update is filled in at publication: count it at its widest.
    var promise = body.getAttribute("data-promise");
    var promiseWidest = body.getAttribute("data-promise-widest") || "";
    var boxes = body.form.querySelectorAll('input[name="target_platforms"]');
    var lastAnnounced = "";

    function n(number) {
      return number.toLocaleString("en-GB");
    }

    function item(text, className) {
      var li = document.createElement("li");
      li.textContent = text;
      li.className = className;
      return li;
    }

    function measure(text, platform) {
      var how = counting[platform] || "characters";
      if (how === "weighted" && weights) return weightedLength(text, weights);
      if (how === "graphemes") return graphemes(text).length;
      return Array.from(text).length;
    }

    function render() {
      // The server trims the ends before counting, and so does this.
      var text = body.value.trim();
      if (promise) text = text.split(promise).join(promiseWidest);
      var items = [];
      var tooLong = [];
      var estimated = [];
      boxes.forEach(function (box) {
        if (!box.checked) return;
        var code = box.value;
        var label = labels[code] || code;
        var limit = limits[code];
        var length = measure(text, code);
        var exact = (counting[code] || "characters") === "characters";
        var of = "(" + (exact ? "" : "about ") + n(length) + " of " + n(limit || 0) + ")";
        if (!exact) estimated.push(label);
        if (!limit) {
          items.push(item(label + ": " + n(length) + " characters, no limit", "text-body-secondary"));
        } else if (length > limit) {
          tooLong.push(label);
          items.push(item(label + ": " + n(length - limit) + " too many " + of, "text-danger fw-semibold"));
        } else {
          items.push(item(label + ": " + n(limit - length) + " left " + of,
            limit - length < limit / 10 ? "text-warning-emphasis" : "text-success"));
        }
      });
      if (!items.length) items.push(item("Tick a platform to see its limit.", "text-body-secondary"));
      list.replaceChildren.apply(list, items);
      // Screen readers hear only when the verdict changes.
      var verdict;
      if (tooLong.length) verdict = "Too long for " + tooLong.join(", ") + ".";
      else if (estimated.length) verdict = "Seems to fit. " + estimated.join(", ") + " counted exactly on saving.";
      else verdict = "Fits every platform.";
      if (alert && verdict !== lastAnnounced) {
        alert.textContent = verdict;
        lastAnnounced = verdict;
      }
    }

    body.addEventListener("input", render);
    boxes.forEach(function (box) { box.addEventListener("change", render); });
    render();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
