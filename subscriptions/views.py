"""Subscribing from the public pages, confirming, unsubscribing; and who subscribed, for
managers.

The public page and the status page stay as they are (no session, no cookie, the same answer
for everyone, kept by proxies): they only link to the subscribe page here, which is an ordinary
form page with Django's CSRF protection (it sets the CSRF cookie, on itself only, and is never
cached). The confirmation and unsubscribe links are capabilities (a secret nobody can guess), so
their POSTs need no CSRF token: a mail client's one-click unsubscribe (RFC 8058) sends none.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crisis.auth import client_address
from crisis.middleware import sessionless
from crisis.panels import Panel
from incidents.models import Incident
from responses.models import PublicProfile
from responses.public import public_page_url
from subscriptions import services
from subscriptions.forms import SubscribeForm
from subscriptions.models import Subscription

# The longest secret we hand out is 43 characters; anything much longer is not ours.
SECRET_MAX = 64
MANAGE = "incidents.manage_public_page"


def _open_page(token):
    """The incident whose public page is open under ``token``, or 404; None for the status page.
    A drill's page offers no mail: a drill never reaches anyone outside."""
    if token is None:
        return None
    incident = (
        Incident.objects.filter(public_token=token, is_public_page_open=True, is_drill=False)
        .only("pk", "public_token", "public_title")
        .first()
    )
    if incident is None:
        raise Http404
    return incident


def _public(request, template, context, status=200):
    context = {"profile": PublicProfile.current(), **context}
    return render(request, f"subscriptions/{template}", context, status=status)


def _target(incident):
    """What the reader subscribes to: a heading, the page's address, the form's address."""
    if incident is None:
        return {
            "heading": "Service notices",
            "back_url": reverse("responses:status-page"),
            "action": reverse("subscriptions:subscribe-status"),
            "is_status": True,
        }
    return {
        "heading": incident.public_heading(incident.public_title),
        "back_url": public_page_url(incident),
        "action": reverse("subscriptions:subscribe-page", args=[incident.public_token]),
    }


@require_http_methods(["GET", "POST"])
def subscribe(request, token=None):
    """The subscribe form. Every valid request gets the same answer (sent to the same page),
    whatever the address's state; a client asking too often is told to wait (429), which says
    nothing about any address."""
    incident = _open_page(token)
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.client_over_limit(client_address(request)):
            return _public(request, "subscribe_limited.html", _target(incident), status=429)
        services.subscribe(form.cleaned_data["email"], incident)
        return redirect("subscriptions:sent")
    return _public(request, "subscribe_form.html", {"form": form, **_target(incident)})


@sessionless
@require_http_methods(["GET", "HEAD"])
def subscribe_sent(request):
    return _public(request, "subscribe_sent.html", {})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, secret):
    """GET shows a Confirm button (a mail scanner that opens links confirms nothing); POST
    confirms. An expired link says so and offers the form again; an unknown one says it does
    not work."""
    row = services.find_pending(secret[:SECRET_MAX])
    if row is None:
        return _public(request, "confirm_unknown.html", {}, status=404)
    target = _target(row.incident)
    if row.is_expired():
        form = SubscribeForm()
        return _public(request, "confirm_expired.html", {"form": form, **target}, status=410)
    if request.method == "POST":
        row.confirm()
        return _public(request, "confirm_done.html", target)
    return _public(request, "confirm_ask.html", target)


@csrf_exempt
@sessionless
@require_http_methods(["GET", "POST"])
def unsubscribe(request, key):
    """GET asks (with a button); POST unsubscribes: the button, or a mail client's one-click
    ``List-Unsubscribe=One-Click`` (RFC 8058). The row is deleted, the address with it. The
    answer to a POST is the same whether the link was still subscribed or not."""
    key = key[:SECRET_MAX]
    if request.method == "POST":
        services.unsubscribe(key)
        return _public(request, "unsubscribe_done.html", {})
    row = Subscription.objects.select_related("incident").filter(key=key).first()
    target = _target(row.incident) if row else {}
    return _public(request, "unsubscribe_ask.html", {"row": row, **target})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "HEAD"])
def subscriber_list(request, reference):
    """The addresses subscribed to the incident's public page, for those who manage it. Two
    queries however many."""
    incident = get_object_or_404(Incident, reference=reference)
    rows = incident.subscriptions.only("email", "requested_at", "confirmed_at", "incident_id")
    return render(
        request,
        "subscriptions/subscriber_list.html",
        {"incident": incident, "rows": list(rows.order_by("email"))},
    )


def subscribers_panel(request, incident):
    """How many readers hear of the incident by mail: its page's confirmed subscribers and the
    status page's (who hear of every public incident). Nothing before the page was first
    opened. One query."""
    if not incident.public_token:
        return None
    counts = Subscription.objects.confirmed().aggregate(
        page=Count("pk", filter=Q(incident_id=incident.pk)),
        status=Count("pk", filter=Q(incident__isnull=True)),
    )
    return Panel(
        "subscriptions/_incident_subscribers.html",
        {
            "incident": incident,
            "counts": counts,
            "can_see_addresses": request.user.has_perm(MANAGE),
        },
    )
