"""Template tags of the incidents app (a builtin: see TEMPLATES in crisis.settings)."""

from django import template

register = template.Library()


@register.inclusion_tag("incidents/_incident_badges.html")
def incident_badges(incident):
    """Severity, status and drill badges (templates/incidents/_incident_badges.html), as the
    incident list and the incident page show them."""
    return {"incident": incident}
