"""The public page: opened and closed by a manager, read by the audience without signing in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from crisis.lifecycle import TransitionRefused
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


@require_safe
# Anyone may keep a copy for a minute: it spares the app a rush of readers during a crisis, and
# a page taken down or a new statement shows everywhere within that minute.
@cache_control(public=True, max_age=60)
def public_page(request, token):
    """The audience's page: no sign-in, nothing internal, 404 unless a manager opened it."""
    incident = get_object_or_404(Incident, public_token=token, is_public_page_open=True)
    statements = list(incident.statements.published().prefetch_related("publications"))
    rows = public.public_rows(statements)
    updates = public.public_updates(incident)
    status, status_text = public.public_status(incident)
    context = {
        "company_name": settings.COMPANY_NAME,
        "title": incident.shown_public_title,
        "status": status,
        "status_text": status_text,
        "statements": statements,
        "rows": rows,
        "action_items": public.public_action_items(incident),
        "updates": updates,
        "last_updated": public.last_updated(statements, updates),
    }
    return render(request, "responses/public_page.html", context)


def page_not_found(request, exception=None):
    """The site's 404 handler: under the public pages' address the answer is a plain page that
    names neither the tool nor the company's internals; elsewhere it is the usual one."""
    public_prefix = reverse("responses:public-page", args=["-"]).removesuffix("-/")
    if request.path.startswith(public_prefix):
        context = {"company_name": settings.COMPANY_NAME}
        return render(request, "responses/public_not_found.html", context, status=404)
    return defaults.page_not_found(request, exception)
