"""Template tags of the incidents app: an incident's badges and its response clock. Templates
that use them say ``{% load incident_tags %}``."""

from django import template
from django.template.loader import get_template

register = template.Library()

SEVERITY_BADGES = {
    1: "text-bg-danger",
    2: "text-bg-warning",
    3: "text-bg-info",
    4: "text-bg-secondary",
}
# By Incident.Status.
STATUS_BADGES = {
    "triage": "text-bg-warning",
    "responding": "text-bg-danger",
    "monitoring": "text-bg-info",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
    "cancelled": "text-bg-light border",
}


@register.filter
def severity_badge(severity):
    return SEVERITY_BADGES.get(severity, "text-bg-secondary")


@register.filter
def status_badge(status):
    """An incident status's badge class."""
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.simple_tag
def incident_badges(incident):
    """Severity, status and drill badges, as the incident list writes them (incidents.listing)."""
    from incidents import listing  # listing writes its rows with this library's tags

    return listing.badges(incident)


_RESPONSE_CLOCK = "incidents/_response_clock.html"


@register.simple_tag
def response_clock(incident):
    """An incident's response clock (crisis.clocks.ResponseClock, from an incident listed with
    ``Incident.objects.with_clocks()``), in words: incidents/_response_clock.html. Also called
    from Python for the list's rows."""
    clock = incident.response_clock
    if not clock:
        return ""
    return get_template(_RESPONSE_CLOCK).render({"clock": clock, "incident": incident})
