"""Each person's time zone: every time the desk shows them, and every time they type, is in it.

A person chooses theirs on the Account page (``crisis.models.Profile.time_zone``); without a
choice they read the company's, the ``TIME_ZONE`` setting. ``TimeZoneMiddleware`` makes the
choice the active zone of each of their requests; the person is read with their profile in the
same query (``crisis.backends``), so it costs no query. Pages without a signed-in person (the
public page, the status page, their feeds) and mails stay in the company's zone. Every absolute
time written names its zone ("14 Mar 2026, 10:00 CET"), and every date-and-time field says which
zone it reads (``crisis.fields.MomentField``).
"""

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone


@cache
def zone_names():
    """The IANA zones a person may choose, sorted (without the legacy aliases' "posix/" and
    "right/" copies)."""
    return tuple(
        sorted(name for name in available_timezones() if not name.startswith(("posix", "right")))
    )


def validate_zone(name):
    if name and name not in zone_names():
        raise ValidationError(
            f"“{name}” is not a time zone we know: choose one from the list.", code="unknown_zone"
        )


def chosen_zone(user):
    """The zone ``user`` chose, or ``""`` for the company's. No queries when the user was read
    with their profile (every signed-in request's user is)."""
    try:
        return user.profile.time_zone
    except (ObjectDoesNotExist, AttributeError):
        return ""


def zone_of(user):
    """The name of the zone ``user`` reads times in."""
    return chosen_zone(user) or settings.TIME_ZONE


class TimeZoneMiddleware:
    """Activate the signed-in person's zone for their request. In ``process_view``, after
    ``crisis.middleware.SessionlessMiddleware`` has given a sessionless page (the public page) its
    anonymous user: reading the user earlier would read the session, and such a page would then
    vary on the cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        name = chosen_zone(user) if user is not None and user.is_authenticated else ""
        if name:
            timezone.activate(ZoneInfo(name))
