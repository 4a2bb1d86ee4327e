"""Template tags of the incidents app (a builtin: see TEMPLATES in crisis.settings)."""

from django import template

from incidents import listing

register = template.Library()


@register.simple_tag
def incident_badges(incident):
    """Severity, status and drill badges, as the incident list writes them (incidents.listing)."""
    return listing.badges(incident)
