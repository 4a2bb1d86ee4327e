"""Template tags of the incidents app: an incident's badges and its response clock. Templates
that use them say ``{% load incident_tags %}``."""

from django import template
from django.template.loader import get_template

from crisis.templatetags.crisis_tags import describe_duration

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


@register.inclusion_tag("incidents/_incident_badges.html")
def incident_badges(incident):
    """Severity, status and drill badges (templates/incidents/_incident_badges.html), as the
    incident list and the incident page show them."""
    return {"incident": incident}


# The deadline's icon by its state (the stopped clock's is "■", a done one's "✓").
CLOCK_ICONS = {"overdue": "⚠", "due": "⏱", "ok": "◷"}
PHASE_WORDS = {"acknowledgement": "Acknowledgement", "next_update": "Next update"}


def _response_clock_words(incident, clock):
    """What incidents/_response_clock.html writes, as words: the template holds the markup.
    Picked here, not in the template, because the list and the dashboard write one per row: a
    template that branched over the clock took 160 µs a clock, this one takes 80 (the clock
    written whole in Python took 20)."""
    since = describe_duration(clock.since_detection)
    if clock.is_stopped:
        state, icon = "stopped", "■"
        words = f"Clock stopped: {incident.get_status_display().lower()} {since} after detection"
    else:
        deadline = clock.deadline
        state, icon = deadline.state, CLOCK_ICONS[deadline.state]
        phase, left = PHASE_WORDS[clock.phase], describe_duration(deadline.duration)
        if deadline.is_overdue:
            words = f"{phase} overdue by {left}"
        elif deadline.state == "due":
            words = f"{phase} due {'now' if deadline.is_due_now else f'soon, in {left}'}"
        else:
            words = f"{phase} due in {left}"
    ack = clock.acknowledgement
    acknowledged, acknowledged_late = "", False
    if ack and ack.is_done:
        acknowledged_late = ack.is_late
        acknowledged = (
            f"Acknowledged {describe_duration(ack.duration)} after detection, "
            f"{'over' if ack.is_late else 'within'} the {describe_duration(ack.target)} target"
        )
    return {
        "phase": clock.phase,
        "state": state,
        "is_drill": clock.is_drill,
        "icon": icon,
        "words": words,
        "acknowledged": acknowledged,
        "acknowledged_late": acknowledged_late,
        "open_for": "" if clock.is_stopped else since,
    }


@register.simple_tag
def response_clock(incident):
    """An incident's response clock (crisis.clocks.ResponseClock, from an incident listed with
    ``Incident.objects.with_clocks()``): incidents/_response_clock.html. Also called from Python
    for the list's rows."""
    clock = incident.response_clock
    if not clock:
        return ""
    return get_template("incidents/_response_clock.html").render(
        _response_clock_words(incident, clock)
    )
