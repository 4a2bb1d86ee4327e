"""Sign-in plumbing: whose address a sign-in attempt came from, and when a session began."""

import ipaddress

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone


def client_address(request):
    """The address that django-axes counts sign-in failures against (``AXES_CLIENT_IP_CALLABLE``).

    With no trusted proxy (``TRUSTED_PROXY_COUNT`` 0, the default) it is the connection's own
    address, and X-Forwarded-For is ignored: anyone can send that header. Behind N proxies that
    each append the address they saw to X-Forwarded-For, it is the N-th entry from the right,
    the one written by our outermost proxy; entries further left come from the client and could
    be forged. A header shorter than that, or an entry that is not an address, means the request
    did not come through the proxies as configured, so the connection's address counts.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count].strip()))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


# Sessions end after SESSION_IDLE_TIMEOUT without a request (Django's own expiry,
# SESSION_COOKIE_AGE, pushed back by crisis.middleware.SessionLimitMiddleware) and, however active,
# SESSION_ABSOLUTE_TIMEOUT after signing in (the time noted here at sign-in).
SIGNED_IN_AT = "crisis_signed_in_at"
RENEWED_AT = "crisis_renewed_at"
# Saving the session pushes its expiry back; doing it at most once a minute spares a database
# write on every request, at the cost of a session ending up to a minute early.
RENEW_EVERY = 60


@receiver(user_logged_in)
def note_sign_in_time(sender, request, user, **kwargs):
    # Django's own sign-in signal: login() sends it from the sign-in page, the admin's and tests.
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[RENEWED_AT] = now
