// Crisis Desk notifications on the Account page (docs/outbound.md, "Browser notifications"):
// "Turn on" asks the browser's permission, subscribes with the desk's VAPID public key and posts
// the subscription; "Turn off" unsubscribes and asks the server to forget this browser. The
// service worker (static/offline/sw.js) shows what arrives.
(function () {
  "use strict";

  var box = document.querySelector("[data-push]");
  if (!box) return;
  var status = box.querySelector("[data-push-status]");
  var onButton = box.querySelector("[data-push-on]");
  var offButton = box.querySelector("[data-push-off]");

  function say(text) { status.textContent = text; }

  function show(subscribed) {
    onButton.hidden = subscribed;
    offButton.hidden = !subscribed;
    say(subscribed ? "This browser: notifications are on." : "This browser: notifications are off.");
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function firstError(answer) {
    var errors = (answer && answer.errors) || {};
    for (var field in errors) {
      if (Object.prototype.hasOwnProperty.call(errors, field)) return errors[field][0];
    }
    return "The desk refused this browser.";
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser cannot show notifications.");
    return;
  }

  var worker = document.body.getAttribute("data-offline-worker") || "/sw.js";
  var ready = navigator.serviceWorker.register(worker, { scope: "/" })
    .then(function () { return navigator.serviceWorker.ready; });

  function turnOn() {
    onButton.disabled = true;
    say("Asking this browser for permission…");
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          throw new Error("Notifications are blocked for this site: allow them in the browser's settings.");
        }
        return ready;
      })
      .then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-push-key")),
        });
      })
      .then(function (subscription) {
        return fetch(box.getAttribute("data-push-subscribe"), {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(subscription.toJSON()),
        });
      })
      .then(function (response) {
        if (response.ok) { window.location.reload(); return null; }
        return response.json().then(function (answer) { throw new Error(firstError(answer)); });
      })
      .catch(function (error) {
        onButton.disabled = false;
        say("Notifications are not on: " + error.message);
      });
  }

  function turnOff() {
    offButton.disabled = true;
    ready
      .then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return null;
        var form = new URLSearchParams({ endpoint: subscription.endpoint });
        return subscription.unsubscribe().then(function () {
          return fetch(box.getAttribute("data-push-remove"), {
            method: "POST",
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken() },
            body: form,
          });
        });
      })
      .then(function () { window.location.reload(); })
      .catch(function (error) {
        offButton.disabled = false;
        say("Notifications are still on: " + error.message);
      });
  }

  onButton.addEventListener("click", turnOn);
  offButton.addEventListener("click", turnOff);
  if (Notification.permission === "denied") {
    say("Notifications are blocked for this site: allow them in the browser's settings.");
    return;
  }
  ready
    .then(function (registration) { return registration.pushManager.getSubscription(); })
    .then(function (subscription) { show(Boolean(subscription)); })
    .catch(function () { show(false); });
})();
