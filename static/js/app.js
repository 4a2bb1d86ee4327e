// Crisis Desk: keeps relative times ("12 min ago", "in 5 min") fresh while a page stays open,
// and shows that a form marked data-once is being sent (the server refuses a repeat anyway).
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

  // A second press while the first is on its way does nothing; the buttons say "Saving…".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-once]")) return;
    if (form.hasAttribute("data-sending")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "");
    var token = form.querySelector("input[name=once_token]");
    if (token) rememberToken(form, token.value);
    form.setAttribute("aria-busy", "true");
    var pressed = event.submitter;
    // After this turn, so that the press that sends the form is not itself cancelled.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        if (pressed && button !== pressed) return;
        button.setAttribute("data-label", button.textContent);
        button.textContent = "Saving…";
      });
    }, 0);
  });

  // Back to a form the browser loads afresh (with what was typed restored, but a new token):
  // give it the token it was sent with, so that sending it again is seen as a repeat.
  function tokenKey(form) {
    return "once-token:" + form.action;
  }

  function rememberToken(form, value) {
    try {
      window.sessionStorage.setItem(tokenKey(form), value);
    } catch (error) {
      // Storage refused (private mode, full): the server still refuses a repeat of this form.
    }
  }

  function cameBack() {
    var navigation = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0]
      : null;
    return Boolean(navigation && navigation.type === "back_forward");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!cameBack()) return;
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      var token = form.querySelector("input[name=once_token]");
      var sent = null;
      try {
        sent = window.sessionStorage.getItem(tokenKey(form));
      } catch (error) {
        return;
      }
      if (token && sent) token.value = sent;
    });
  });

  // Back to a page kept in the browser's memory: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("data-sending");
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        if (button.hasAttribute("data-label")) {
          button.textContent = button.getAttribute("data-label");
          button.removeAttribute("data-label");
        }
        button.disabled = false;
      });
    });
  });
})();
