from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from crisis.urls import handler404  # noqa: F401
from crisis.urls import urlpatterns as app_urls

ROWS = [
    {"reference": f"CR-2026-{n:03d}", "title": f"Delivery delays, region {n}", "status": "Triage"}
    for n in range(50)
]


@login_required
def bare(request):
    """Django's floor for a signed-in page: the same middleware, no query, 50 rows."""
    return render(request, "bench/bare.html", {"rows": ROWS})


urlpatterns = [path("bench/bare/", bare), *app_urls]
