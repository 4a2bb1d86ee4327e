"""The sign-in audit: every sign-in, refusal, lockout and two-factor change, in one append-only
table (crisis.models.SecurityEvent) that admins read in the admin site."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from crisis.auth import client_address
from crisis.models import SecurityEvent

Kind = SecurityEvent.Kind
USER_AGENT_LENGTH = SecurityEvent._meta.get_field("user_agent").max_length
USERNAME_LENGTH = SecurityEvent._meta.get_field("username").max_length


def record(kind, *, request=None, user=None, username="", detail=""):
    """Write one event: who (the user, or the username typed when there is no account), what,
    when, and from which address and browser."""
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None and not username:
        username = user.get_username()
    ip_address, user_agent = None, ""
    if request is not None:
        ip_address = client_address(request) or None
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=str(username)[:USERNAME_LENGTH],
        ip_address=ip_address,
        user_agent=user_agent,
        detail=detail[:255],
    )


# Django's and django-axes' own signals: every sign-in path (the sign-in page, the admin's, an
# API's) sends them, so none goes unrecorded.


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(Kind.SIGNED_IN, request=request, user=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.SIGNED_OUT, request=request, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    record(Kind.SIGN_IN_FAILED, request=request, username=credentials.get("username", ""))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(Kind.LOCKED_OUT, request=request, username=username or "")
