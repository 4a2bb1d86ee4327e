"""The Account page's browser notifications (docs/outbound.md, "Browser notifications"): a
browser's subscription posted as JSON by static/js/push.js, a browser removed, and the kinds of
notification a person keeps on. The rules live in crisis.outbound (PushSubscription)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from crisis.forms import PushTopicsForm
from crisis.models import Profile, PushSubscription
from crisis.outbound import push
from crisis.views import _account_page

# The largest subscription a browser sends is well under 2 KB.
MAX_BODY_BYTES = 8 * 1024


def _refused(field, message, status=400):
    return JsonResponse({"errors": {field: [message]}}, status=status)


@login_required
@require_POST
def push_subscribe(request):
    """Keep this browser's subscription for the signed-in person: JSON in (the browser's
    ``PushSubscription.toJSON()``), JSON out (201 new, 200 known), or 400 naming the field."""
    if not push.configured():
        return _refused("__all__", "Notifications are not set up on this desk.")
    if len(request.body) > MAX_BODY_BYTES:
        return _refused("subscription", "The subscription is too large.")
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _refused("subscription", "Send the subscription as JSON.")
    try:
        browser, created = PushSubscription.subscribe(
            request.user, data, request.headers.get("User-Agent", "")
        )
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return JsonResponse({"id": browser.pk, "created": created}, status=201 if created else 200)


@login_required
@require_POST
def push_remove(request):
    """Remove one of the person's browsers: by ``subscription`` (the list's buttons) or by
    ``endpoint`` (this browser turning notifications off). Someone else's is never found."""
    mine = PushSubscription.objects.filter(user=request.user)
    chosen = request.POST.get("subscription", "")
    endpoint = request.POST.get("endpoint", "")
    if chosen.isdigit():
        removed = mine.filter(pk=int(chosen)).forget()
    elif endpoint:
        removed = mine.filter(endpoint=endpoint).forget()
    else:
        removed = 0
    if removed:
        messages.success(request, "That browser will not be notified any more.")
    else:
        messages.info(request, "That browser was not notified: nothing to remove.")
    return redirect("account")


@login_required
@require_POST
def push_topics(request):
    """Choose which notifications one's browsers receive."""
    profile, _created = Profile.objects.get_or_create(user=request.user)
    form = PushTopicsForm(request.POST)
    if not form.is_valid():
        return _account_page(request, topics_form=form)
    form.save(profile)
    messages.success(request, "Your choice of notifications is saved.")
    return redirect("account")
