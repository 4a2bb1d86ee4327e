"""Policies applied to every request: how long a session lasts, what may be cached, and which
pages read no session at all."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crisis.auth import RENEW_EVERY, RENEWED_AT, SIGNED_IN_AT


def sessionless(view):
    """Marks a view that reads no session and no user: a page for anyone, whose answer a proxy
    may share (the public page). :class:`SessionlessMiddleware` hands it an anonymous user, so
    no middleware after it, nor the request log, reads the session or the user, and the answer
    sets no cookie and varies on none, even to a signed-in browser."""
    view.sessionless = True
    return view


class SessionlessMiddleware:
    """For a view marked :func:`sessionless`, replaces the lazy user with an anonymous one before
    anything reads it. After the authentication and django-otp middlewares; the session and
    two-factor checks that follow it act in ``process_view`` and so see the anonymous user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "sessionless", False):
            request.user = _Anonymous()
        return None


class _Anonymous(AnonymousUser):
    def is_verified(self):  # what django_otp's middleware gives every user
        return False


class SessionLimitMiddleware:
    """Keeps an active session alive, and signs out one older than ``SESSION_ABSOLUTE_TIMEOUT``
    seconds (or one that never noted its sign-in time). The request then goes on as anonymous, so
    an internal page sends the person to the sign-in page, where the message says why. In
    ``process_view``, once the view is known: a :func:`sessionless` view's user is already
    anonymous, and its session is never read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated:
            session = request.session
            now = timezone.now().timestamp()
            limit = settings.SESSION_ABSOLUTE_TIMEOUT
            signed_in_at = session.get(SIGNED_IN_AT)
            if signed_in_at is None or now - signed_in_at > limit:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out: a session lasts at most {_hours(limit)} after "
                    "signing in. Sign in again to go on.",
                )
            elif not 0 <= now - session.get(RENEWED_AT, 0) < RENEW_EVERY:
                session[RENEWED_AT] = now
        return None


def _hours(seconds):
    hours = seconds / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


class NoStoreMiddleware:
    """Asks browsers and proxies to keep no copy of a response (``Cache-Control: no-store``).

    Internal pages and exports hold confidential details of a crisis, and after signing out on a
    shared computer the Back button must not show them again. A view whose response may be
    cached says so itself (the public page does), except that a response setting a cookie is
    never cached. Static files never reach this (WhiteNoise answers them first, cached for long).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies or not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
