"""The CSV export of the incident list: every incident its tab and filters find."""

import itertools

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from crisis.exports import CsvDownload
from crisis.replica import reading_database
from incidents.export import EXPORT_COLUMNS, EXPORT_FIELDS, export_row
from incidents.views import desk_segments, filtered


@login_required
@require_safe
def incident_export(request):
    """Every incident the list's tab and filters find, in its order, streamed: rows are read in
    chunks and sent as they come, so memory stays flat and the download starts at once."""
    filterset = filtered(request)
    segments = desk_segments(filterset, using=reading_database())
    rows = itertools.chain.from_iterable(
        segment.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000) for segment in segments
    )
    return CsvDownload("incidents").stream(EXPORT_COLUMNS, map(export_row, rows))
