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

from crisis import panels
from crisis.lifecycle import TransitionRefused
from crisis.middleware import sessionless
from incidents.models import Incident
from responses import feeds, public
from responses.models import PublicProfile


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
    session, no user, no cookie, no Vary: the same answer for everyone at the same address (a
    language, when another app translates the page, is chosen by ``?lang=``: crisis.panels),
    with validators for a 304."""
    language = public.page_language(request)
    return _public_answer(request, token, lambda state: _render(state, language), language=language)


@sessionless
@require_safe
def public_feed(request, token):
    """The public page's Atom feed: its published statements and public updates, under the
    page's own rules (404 unless open, no cookie, the same validators and 304)."""
    return _public_answer(request, token, lambda state: _render_feed(request, state))


def _public_answer(request, token, render, language=""):
    """The public page's answer, made by ``render(state)`` unless the request's validators
    show the reader already has it (in ``language``). One query before rendering."""
    state = public.page_state(token)
    if state is None:
        raise Http404  # never stored (crisis.middleware.NoStoreMiddleware): reopening shows at once
    etag = public.language_etag(state.etag, language)
    return conditional_answer(request, etag, state.last_modified, lambda: render(state))


def conditional_answer(request, etag, last_modified, render):
    """A public answer: 304 when the request's validators match, else ``render()`` (a body, or
    an HttpResponse); with the validators and the public cache rules either way."""
    response = get_conditional_response(request, etag=etag, last_modified=_timestamp(last_modified))
    if response is None:
        body = render()
        response = body if isinstance(body, HttpResponse) else HttpResponse(body)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(_timestamp(last_modified))
    patch_cache_control(response, **PUBLIC_CACHE)
    return response


def _timestamp(moment):
    return None if moment is None else int(moment.timestamp())


def _render(state, language=""):
    """The page itself, rendered without the request: no context processor runs, so nothing
    reads the session or the user. Four queries, one per translation installed, and those of
    the other apps' sections (one each: crisis.panels.PublicSection)."""
    statements = public.public_statements(state.pk)
    updates = public.public_updates(state.pk)
    status, status_text = public.public_status(state)
    texts, shown = public.translated(state.pk, language) if panels.page_translations else ({}, [])
    context = {
        **_language_switch(state, language, texts, shown),
        "profile": state.profile,
        "feed_url": reverse("responses:public-feed", args=[state.token]),
        # The subscriptions app's form (a page of its own: this one sets no cookie).
        "subscribe_url": None
        if state.is_drill
        else reverse("subscriptions:subscribe-page", args=[state.token]),
        "title": state.title,
        "status": status,
        "status_text": status_text,
        "statements": statements,
        "rows": public.public_rows(statements, texts),
        "action_items": public.public_action_items(state.pk),
        # What other apps add (a "What is true" list of corrected rumours), as HTML.
        "sections": panels.render_public_sections(state.pk),
        "updates": updates,
        "last_updated": public.last_updated(statements, updates),
    }
    return loader.render_to_string("responses/public_page.html", context)


def _language_switch(state, language, texts, shown):
    """The page's language (``page_lang``), the language of its translated texts
    (``text_lang``) and the links to read it in each language it has texts in, the desk's own
    language first (``languages``: ``[(code, name, url, is_current)]``). No queries."""
    own = settings.LANGUAGE_CODE.split("-")[0]
    if not shown:
        return {"page_lang": own, "text_lang": "", "languages": []}
    names = {code: name for t in panels.page_translations for code, name in t.languages()}
    codes = [own] + [code for code, _name in shown if code != own]
    current = language if language in codes else own
    page_url = reverse("responses:public-page", args=[state.token])
    switch = [
        (code, names.get(code, code), f"{page_url}?lang={code}", code == current) for code in codes
    ]
    return {
        "page_lang": language if texts else own,
        "text_lang": language if texts else "",
        "languages": switch,
    }


def _render_feed(request, state):
    """The Atom feed of the page of ``state``: three queries."""
    statements = public.public_statements(state.pk)
    updates = public.public_updates(state.pk)
    page_url = request.build_absolute_uri(reverse("responses:public-page", args=[state.token]))
    return feeds.page_feed(state, statements, updates, page_url, state.profile, request)


def page_not_found(request, exception=None):
    """The site's 404 handler: under the public pages' address the answer is a plain page that
    names neither the tool nor the company's internals; elsewhere it is the usual one."""
    public_prefix = reverse("responses:public-page", args=["-"]).removesuffix("-/")
    status_prefix = reverse("responses:status-page")
    if request.path.startswith((public_prefix, status_prefix)):
        context = {"company_name": PublicProfile.current().shown_company_name}
        return render(request, "responses/public_not_found.html", context, status=404)
    return defaults.page_not_found(request, exception)
