from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render
from django.urls import path

from crisis.urls import handler404  # noqa: F401
from crisis.urls import urlpatterns as app_urls
from incidents.views import incident_list

ROWS = [
    {"reference": f"CR-2026-{n:03d}", "title": f"Delivery delays, region {n}", "status": "Triage"}
    for n in range(50)
]


@login_required
def bare(request):
    """Django's floor for a signed-in page: the same middleware, no query, 50 rows."""
    return render(request, "bench/bare.html", {"rows": ROWS})


# The statements the incident list asks for each query string, as it asked them the first time.
_LIST_STATEMENTS = {}


@login_required
def floor(request):
    """The least the incident list with this query string could cost: the bare template, plus
    the very statements the list's view asks the database (read once from the view itself), run
    through a plain cursor, with no ORM, form or template work around them."""
    key = request.GET.urlencode()
    if key not in _LIST_STATEMENTS:
        asked = []

        def note(execute, sql, params, many, context):
            asked.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):
            incident_list(request)
        _LIST_STATEMENTS[key] = asked
    with connection.cursor() as cursor:
        for sql, params in _LIST_STATEMENTS[key]:
            cursor.execute(sql, params)
            cursor.fetchall()
    return render(request, "bench/bare.html", {"rows": ROWS})


urlpatterns = [path("bench/bare/", bare), path("bench/floor/", floor), *app_urls]
