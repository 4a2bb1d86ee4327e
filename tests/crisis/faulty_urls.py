"""The site's URLconf with a few views that fail on purpose (tests/crisis/test_operations.py)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from crisis.models import SecurityEvent
from crisis.urls import handler400, handler404, handler500  # noqa: F401 - the site's own
from crisis.urls import urlpatterns as site_patterns


def boom(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("odd input")


def forbidden(request):
    raise PermissionDenied


def write_then_lose_the_database(request):
    # A write that commits (autocommit, as in every view without its own transaction), then the
    # database goes away.
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGNED_OUT, username="before the fault")
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("faults/boom/", boom),
    path("faults/suspicious/", suspicious),
    path("faults/forbidden/", forbidden),
    path("faults/database-gone/", write_then_lose_the_database),
    *site_patterns,
]
