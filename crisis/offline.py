"""Reading the desk without a connection (docs/offline.md): the web app manifest, the service
worker's script served at the site's root, and the list of pages each person keeps offline.

The worker (static/offline/sw.js) keeps nothing on its own: on each page a signed-in person loads,
static/js/offline.js asks it to sync, and it fetches :func:`offline_manifest` (this person's list)
into a cache named for this person only, deleting every other person's cache and every page no
longer listed. Pages are served from that cache only when the network fails.
"""

import functools
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from crisis.auth import SIGNED_IN_AT

WORKER_FILE = settings.BASE_DIR / "static" / "offline" / "sw.js"
CACHE_PREFIX = "crisis-offline-"
# The files every kept page needs to look like itself.
ASSETS = (
    "bootstrap/css/bootstrap.min.css",
    "css/app.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "js/app.js",
    "js/offline.js",
)


def cache_name(user):
    """The name of ``user``'s offline cache: their id, and a keyed hash of it so that the name
    says nothing to anyone without the site's secret key."""
    digest = salted_hmac("crisis.offline.cache", str(user.pk)).hexdigest()[:16]
    return f"{CACHE_PREFIX}{user.pk}-{digest}"


# What each app keeps offline: functions of a person returning the addresses of the pages they
# keep (an empty list when they may not read them offline). Apps register in AppConfig.ready().
providers = []


def register(provider):
    """Add ``provider`` once (``ready()`` may run more than once)."""
    if provider not in providers:
        providers.append(provider)
    return provider


def kept_urls(user):
    """The pages ``user`` keeps offline, from every app, in the order the apps registered."""
    return [url for provider in providers for url in provider(user)]


def session_ends_at(session, now=None):
    """When ``session`` ends if its browser does nothing more (as a POSIX timestamp): idle for
    ``SESSION_IDLE_TIMEOUT`` from now, and at most ``SESSION_ABSOLUTE_TIMEOUT`` after signing in
    (crisis.middleware.SessionLimitMiddleware). The offline copies end with it."""
    now = timezone.now().timestamp() if now is None else now
    idle_end = now + settings.SESSION_IDLE_TIMEOUT
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        return idle_end
    return min(idle_end, signed_in_at + settings.SESSION_ABSOLUTE_TIMEOUT)


@login_required
@require_safe
@never_cache
def offline_manifest(request):
    """What the signed-in person's worker keeps: its cache's name, the addresses in it, and when
    the copies end (``until``, milliseconds since the epoch, the end of this session)."""
    user = request.user
    pages = kept_urls(user)
    return JsonResponse(
        {
            "cache": cache_name(user),
            "pages": pages,
            "assets": [static(name) for name in ASSETS],
            "until": int(session_ends_at(request.session) * 1000),
        }
    )


@functools.cache
def _worker_script():
    return WORKER_FILE.read_text(encoding="utf-8")


@require_safe
def service_worker(request):
    """The worker's script at the root, so that it may serve every page of the site. It is the
    static file itself (no inline script, so the content security policy stays as it is)."""
    response = HttpResponse(_worker_script(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    # A browser checks for a new worker on each visit; never keep an old one.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def web_manifest(request):
    """The web app manifest: installable, opening on the dashboard, with its icons."""
    data = {
        "name": "Crisis Desk",
        "short_name": "Crisis Desk",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": "#212529",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")
