// Crisis Desk offline (docs/offline.md): for a signed-in person, registers the service worker and
// asks it to sync this person's offline copies; shows the "Offline copy of HH:MM" banner of a
// page read without a connection; and refuses a form sent offline, keeping what was typed.
(function () {
  "use strict";

  var body = document.body;
  var REFUSED = "You are offline: nothing was sent. Your text is still here.";

  function showBanner() {
    var banner = document.querySelector("[data-offline-banner]");
    if (banner && (!navigator.onLine || banner.hasAttribute("data-served-offline"))) {
      banner.hidden = false;
    }
  }

  function refuseOffline(event) {
    if (navigator.onLine) return;
    var form = event.target;
    event.preventDefault();
    event.stopImmediatePropagation();
    var note = form.querySelector("[data-offline-refusal]");
    if (!note) {
      note = document.createElement("p");
      note.className = "alert alert-warning mt-2 mb-0";
      note.setAttribute("role", "alert");
      note.setAttribute("data-offline-refusal", "");
      form.appendChild(note);
    }
    note.textContent = REFUSED;
  }

  function ask(worker, message) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      worker.postMessage(message, [channel.port2]);
    });
  }

  // Signing out of this browser stops its notifications: the sign-out form carries the
  // browser's push endpoint, and the server forgets it (docs/outbound.md).
  function rememberPushEndpoint(registration) {
    var field = document.querySelector("[data-push-endpoint]");
    if (!field || !registration.pushManager) return;
    registration.pushManager.getSubscription().then(function (subscription) {
      field.value = subscription ? subscription.endpoint : "";
    }).catch(function () { /* no push here: nothing to forget */ });
  }

  function sync() {
    if (!("serviceWorker" in navigator)) return;
    var signedIn = body.hasAttribute("data-offline-sync");
    if (!signedIn) {
      // Signed out: whatever a worker kept here goes (sign-out's Clear-Site-Data does too).
      navigator.serviceWorker.getRegistration("/").then(function (registration) {
        if (registration && registration.active) ask(registration.active, { type: "clear" });
      });
      return;
    }
    if (!navigator.onLine) return;
    navigator.serviceWorker
      .register(body.getAttribute("data-offline-worker"), { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        rememberPushEndpoint(registration);
        return ask(registration.active, { type: "sync" });
      })
      .then(function (result) {
        body.setAttribute("data-offline-synced", result && !result.failed ? "yes" : "failed");
      })
      .catch(function () { body.setAttribute("data-offline-synced", "failed"); });
  }

  showBanner();
  window.addEventListener("offline", showBanner);
  // Capture, so that no other script marks the form as being sent.
  document.addEventListener("submit", refuseOffline, true);
  sync();
})();
