"""Policies applied to every request: how long a session lasts, and what may be cached."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone

from crisis.auth import RENEW_EVERY, RENEWED_AT, SIGNED_IN_AT


class SessionLimitMiddleware:
    """Keeps an active session alive, and signs out one older than ``SESSION_ABSOLUTE_TIMEOUT``
    seconds (or one that never noted its sign-in time). The request then goes on as anonymous, so
    an internal page sends the person to the sign-in page, where the message says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
        return self.get_response(request)


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
