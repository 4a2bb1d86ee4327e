"""The approved lines offered beside a text being drafted (a statement's body; a media answer's
later). Any form may show them: it renders the kernel's form aids (crisis.panels) with the text
field the lines go into, and this app registers :func:`lines_aid` for its name."""

from crisis.panels import Panel
from lines.models import ApprovedLine, timezone_today


def offered(category, today=None):
    """The lines offered for an incident of ``category``, each with whether its review date has
    passed: ``[(line, past_review)]``. Queries the database once."""
    today = today or timezone_today()
    lines = ApprovedLine.objects.offered_for(category)
    return [(line, line.is_past_review(today)) for line in lines]


def lines_aid(request, incident, field):
    """The panel of approved lines for ``incident``'s category, with an Insert button for each
    that writes into ``field`` (a bound form field) at the cursor. Shown when any are offered."""
    lines = offered(incident.category)
    if not lines:
        return None
    return Panel("lines/_offer.html", {"lines": lines, "target_id": field.auto_id})
