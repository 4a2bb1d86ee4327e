"""The company's status page and its feed, and the public pages' branding (style sheet, logo):
for anyone, without a session, under the public pages' caching rules."""

from django.http import Http404, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from crisis.middleware import sessionless
from responses import feeds
from responses.models import PublicProfile
from responses.status_page import status_listing
from responses.views.public import conditional_answer

# The style sheet and the logo are addressed by a digest of what they hold, so a proxy or a
# browser may keep them for a year: a new colour or logo is a new address.
FOREVER = {"public": True, "max_age": 365 * 24 * 3600, "immutable": True}


@sessionless
@require_safe
def status_page(request):
    """The open public incidents and the recently resolved ones. Two queries, however many."""
    profile = PublicProfile.current()
    listing = status_listing(profile)
    context = {
        "profile": profile,
        "listing": listing,
        "feed_url": reverse("responses:status-feed"),
        "subscribe_url": reverse("subscriptions:subscribe-status"),
    }
    return conditional_answer(
        request,
        listing.etag,
        listing.last_modified,
        lambda: loader.render_to_string("responses/status_page.html", context),
    )


@sessionless
@require_safe
def status_feed(request):
    """The status page as an Atom feed. Two queries."""
    profile = PublicProfile.current()
    listing = status_listing(profile)
    status_url = request.build_absolute_uri(reverse("responses:status-page"))
    return conditional_answer(
        request,
        listing.etag,
        listing.last_modified,
        lambda: feeds.status_feed(listing, status_url, profile, request),
    )


@sessionless
@require_safe
def brand_css(request, stamp):
    """The public pages' accent colours (the CSP allows no inline style). One query."""
    profile = PublicProfile.current()
    body = loader.render_to_string("responses/public_brand.css", {"profile": profile})
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    # An old address (a page kept by a proxy) still gets today's colours, but is not kept.
    patch_cache_control(response, **(FOREVER if stamp == profile.stamp else _SHORT))
    return response


_SHORT = {"public": True, "max_age": 30}


@sessionless
@require_safe
def brand_logo(request, sha):
    """The company's logo: a PNG we drew (responses.branding), never the uploaded bytes. One
    query; 404 for any other address."""
    profile = PublicProfile.objects.filter(slot=1, logo_sha=sha).exclude(logo_sha="").first()
    if profile is None:
        raise Http404
    response = HttpResponse(bytes(profile.logo), content_type="image/png")
    response["Content-Disposition"] = 'inline; filename="logo.png"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, **FOREVER)
    return response
