// Crisis Desk's service worker (docs/offline.md). Served at /sw.js by crisis.offline.
// It caches nothing by itself: a page asks it to "sync", and it keeps exactly the addresses the
// server lists for the signed-in person, in a cache named for that person only. Pages come from
// the network first, and from that cache only when the network fails. Forms are never queued.
"use strict";

var PREFIX = "crisis-offline-";
var MANIFEST = "/offline/manifest.json";
// Kept in the person's cache beside their pages: when the copies end (the end of the session
// they were kept in, from the manifest's "until"). Past it, the copies are deleted unread.
var UNTIL = new URL("/offline/until", self.location.origin).href;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function dropCaches(keep) {
  return caches.keys().then(function (names) {
    return Promise.all(
      names
        .filter(function (name) { return name.indexOf(PREFIX) === 0 && name !== keep; })
        .map(function (name) { return caches.delete(name); })
    );
  });
}

function fetchManifest() {
  return fetch(MANIFEST, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
    .then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      // Signed out (a redirect to sign in), or anything else: this browser keeps nobody's pages.
      if (!response.ok || type.indexOf("application/json") !== 0) return null;
      return response.json();
    });
}

function sync() {
  return fetchManifest().then(function (manifest) {
    if (!manifest) return dropCaches(null).then(function () { return { kept: 0 }; });
    var wanted = manifest.pages.concat(manifest.assets).map(function (path) {
      return new URL(path, self.location.origin).href;
    });
    wanted.push(UNTIL);
    return dropCaches(manifest.cache)
      .then(function () { return caches.open(manifest.cache); })
      .then(function (cache) {
        return cache.put(UNTIL, new Response(String(manifest.until))).then(function () {
          return cache;
        });
      })
      .then(function (cache) {
        var stores = wanted.filter(function (url) { return url !== UNTIL; }).map(function (url) {
          // Marked as the worker's, so that the page keeps the person's messages ("Statement
          // saved.") for the page they are about to see (templates/base.html).
          return fetch(url, {
            credentials: "same-origin",
            cache: "no-store",
            redirect: "manual",
            headers: { "X-Crisis-Offline": "sync" },
          })
            .then(function (response) {
              // A page this person may no longer read is not kept (nor what was kept of it).
              if (response.ok) return cache.put(url, response);
              return cache.delete(url);
            })
            .catch(function () { /* kept as it was; the next sync tries again */ });
        });
        return Promise.all(stores)
          .then(function () { return cache.keys(); })
          .then(function (requests) {
            var stale = requests.filter(function (request) {
              return wanted.indexOf(request.url) === -1;
            });
            return Promise.all(stale.map(function (request) { return cache.delete(request); }));
          })
          .then(function () { return { kept: wanted.length - 1 }; });
      });
  });
}

self.addEventListener("message", function (event) {
  var kind = event.data && event.data.type;
  var reply = function (result) {
    if (event.ports && event.ports[0]) event.ports[0].postMessage(result);
  };
  if (kind === "sync") {
    event.waitUntil(sync().then(reply, function () { reply({ failed: true }); }));
  } else if (kind === "clear") {
    event.waitUntil(dropCaches(null).then(function () { reply({ cleared: true }); }));
  }
});

// The cached copy is shown with its "Offline copy of HH:MM" banner, rendered hidden by the
// server when the copy was fetched (templates/base.html).
function markOffline(response) {
  var type = response.headers.get("Content-Type") || "";
  if (type.indexOf("text/html") !== 0) return response;
  return response.text().then(function (html) {
    var shown = html.replace("data-offline-banner hidden", "data-offline-banner data-served-offline");
    return new Response(shown, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  });
}

// The copies of a session that has ended (or of an unknown end) are deleted, not served: a
// session that simply expires must not leave its pages readable on the device.
function stillValid(cache) {
  return cache.match(UNTIL).then(function (until) {
    if (!until) return false;
    return until.text().then(function (text) { return Date.now() < Number(text); });
  });
}

function fromCache(request) {
  return caches.keys().then(function (names) {
    var ours = names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
    if (!ours.length) return undefined;
    return caches.open(ours[0]).then(function (cache) {
      return stillValid(cache).then(function (valid) {
        if (!valid) return dropCaches(null).then(function () { return undefined; });
        return cache.match(request.url, { ignoreVary: true, ignoreSearch: false });
      });
    });
  });
}

var NO_COPY =
  "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
  "<title>Offline · Crisis Desk</title></head><body><main><h1>You are offline</h1>" +
  "<p>This page has no offline copy. The playbooks, the contact sheet and the incidents you " +
  "lead are kept while you are signed in: open them from a page you have read before. They " +
  "end with your session.</p></main></body></html>";

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // forms go to the network, or fail where they are sent
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).catch(function (error) {
      return fromCache(request).then(function (cached) {
        if (cached) return request.mode === "navigate" ? markOffline(cached) : cached;
        if (request.mode === "navigate") {
          return new Response(NO_COPY, {
            status: 503,
            headers: { "Content-Type": "text/html; charset=utf-8" },
          });
        }
        throw error;
      });
    })
  );
});

// Notifications (docs/outbound.md, "Browser notifications"): the desk pushes JSON with a title,
// a body, the exact page to open and a tag. Only a page of this site is ever opened.
function pageOf(url) {
  try {
    var page = new URL(url, self.location.origin);
    if (page.origin === self.location.origin) return page.href;
  } catch (error) { /* not an address: the home page */ }
  return new URL("/", self.location.origin).href;
}

function showPush(message) {
  return self.registration.showNotification(message.title || "Crisis Desk", {
    body: message.body || "",
    tag: message.tag || undefined,
    icon: "/static/icons/icon-192.png",
    data: { url: pageOf(message.url || "/") },
  });
}

self.addEventListener("push", function (event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(showPush(message));
});

// Tapping a notification opens its page: in a window of the desk already open (brought to the
// front), or a new one.
function openPage(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    var ours = windows.filter(function (client) {
      return new URL(client.url).origin === self.location.origin;
    });
    if (!ours.length) return self.clients.openWindow(url);
    // Only a window this worker controls may be navigated; any other gets a new window.
    return ours[0].navigate(url).then(function (client) {
      var shown = client || ours[0];
      return shown.focus().catch(function () { return shown; });
    }, function () { return self.clients.openWindow(url); });
  });
}

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var data = event.notification.data || {};
  event.waitUntil(openPage(pageOf(data.url || "/")));
});
