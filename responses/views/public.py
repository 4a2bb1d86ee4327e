"""The public page: opened and closed by a manager, read by the audience without signing in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST, require_safe

from crisis.lifecycle import TransitionRefused
from crisis.middleware import sessionless
from incidents.models import Incident
from responses import public


@login_required
@permission_required("incidents.manage_public_page", raise_exception=True)
@require_POST
def public_page_open(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    try:
        incident.open_public_page(by=request.user)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, "The public page is open. Anyone with its link can read it, signed in or not."
        )
    return redirect(_back_to(request, incident.get_absolute_url() + "#public-page"))


def _back_to(request, default):
    """The page a form came from (``next``), if it is one of ours; else ``default``."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


@login_required
@permission_required("incidents.manage_public_page", raise_exception=True)
@require_POST
def public_page_close(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    try:
        incident.close_public_page(by=request.user)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The public page is closed. Its link now answers “not found”.")
    return redirect(incident.get_absolute_url() + "#public-page")


# A proxy or CDN in front may serve its copy for 30 seconds, then for 30 more while it asks again
# (docs/performance.md, "The public page under a surge"): a rush of readers costs the app about a
# request a minute per copy, and a new statement, a closed page or a new title shows everywhere
# within a minute. Asking again costs one query and, when nothing changed, answers 304.
PUBLIC_CACHE = {"public": True, "max_age": 30, "stale_while_revalidate": 30}


@sessionless
@require_safe
def public_page(request, token):
    """The audience's page: no sign-in, nothing internal, 404 unless a manager opened it. No
    session, no user, no cookie: the same answer for everyone, with validators for a 304."""
    state = public.page_state(token)
    if state is None:
        raise Http404  # never stored (crisis.middleware.NoStoreMiddleware): reopening shows at once
    response = get_conditional_response(
        request, etag=state.etag, last_modified=_timestamp(state.last_modified)
    )
    if response is None:
        response = HttpResponse(_render(state))
    response["ETag"] = state.etag
    if state.last_modified is not None:
        response["Last-Modified"] = http_date(_timestamp(state.last_modified))
    patch_cache_control(response, **PUBLIC_CACHE)
    return response


def _timestamp(moment):
    return None if moment is None else int(moment.timestamp())


def _render(state):
    """The page itself, rendered without the request: no context processor runs, so nothing
    reads the session or the user. Four queries."""
    statements = public.public_statements(state.pk)
    updates = public.public_updates(state.pk)
    status, status_text = public.public_status(state)
    context = {
        "company_name": settings.COMPANY_NAME,
        "title": state.title,
        "status": status,
        "status_text": status_text,
        "statements": statements,
        "rows": public.public_rows(statements),
        "action_items": public.public_action_items(state.pk),
        "updates": updates,
        "last_updated": public.last_updated(statements, updates),
    }
    return loader.render_to_string("responses/public_page.html", context)


def page_not_found(request, exception=None):
    """The site's 404 handler: under the public pages' address the answer is a plain page that
    names neither the tool nor the company's internals; elsewhere it is the usual one."""
    public_prefix = reverse("responses:public-page", args=["-"]).removesuffix("-/")
    if request.path.startswith(public_prefix):
        context = {"company_name": settings.COMPANY_NAME}
        return render(request, "responses/public_not_found.html", context, status=404)
    return defaults.page_not_found(request, exception)
