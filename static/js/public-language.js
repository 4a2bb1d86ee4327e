// The public page in the reader's language (docs/workflow.md, "One core, many audiences"). The
// server answers one page per address (a language is chosen with ?lang=, never from
// Accept-Language), so that proxies keep it without a Vary. A reader arriving without a choice is
// sent here to the page in the first of their browser's languages the page has, unless the page's
// own language comes first. The switch's links carry ?lang=, so a choice made there sticks.
(function () {
  "use strict";
  if (new URLSearchParams(window.location.search).has("lang")) return;
  var links = document.querySelectorAll("[data-language-switch] a[hreflang]");
  if (!links.length) return;
  var own = (document.documentElement.lang || "").toLowerCase();
  var wanted = navigator.languages && navigator.languages.length
    ? navigator.languages
    : [navigator.language || ""];
  for (var i = 0; i < wanted.length; i++) {
    var code = String(wanted[i]).toLowerCase();
    var candidates = [code, code.split("-")[0]];
    for (var j = 0; j < candidates.length; j++) {
      if (candidates[j] === own) return;
      for (var k = 0; k < links.length; k++) {
        if (links[k].getAttribute("hreflang").toLowerCase() === candidates[j]) {
          window.location.replace(links[k].href);
          return;
        }
      }
    }
  }
})();
