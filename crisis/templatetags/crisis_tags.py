"""Presentation helpers for templates: badges and times. No queries, no rules: durations and
deadlines come from crisis.clocks, and these only put them into words."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

SEVERITY_BADGES = {
    1: "text-bg-danger",
    2: "text-bg-warning",
    3: "text-bg-info",
    4: "text-bg-secondary",
}
STATUS_BADGES = {
    "triage": "text-bg-warning",
    "responding": "text-bg-danger",
    "monitoring": "text-bg-info",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
    "cancelled": "text-bg-light border",
    # Statements (responses.Statement.Status).
    "draft": "text-bg-light border",
    "in_review": "text-bg-warning",
    "approved": "text-bg-info",
    "published": "text-bg-success",
    "withdrawn": "text-bg-secondary",
    # Action items (responses.ActionItem.Status).
    "open": "text-bg-light border",
    "in_progress": "text-bg-info",
    "done": "text-bg-success",
    "dropped": "text-bg-secondary",
}


@register.filter
def severity_badge(severity):
    return SEVERITY_BADGES.get(severity, "text-bg-secondary")


@register.filter
def status_badge(status):
    return STATUS_BADGES.get(status, "text-bg-secondary")


def describe_duration(delta: timedelta) -> str:
    """'3 days 4 h', '2 h 5 min', '12 min', 'less than a minute' for a positive duration."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    if minutes:
        return f"{minutes} min"
    return "less than a minute"


def relative(value, now=None):
    """'in 12 min' or '12 min ago'."""
    if not isinstance(value, datetime):
        return ""
    now = now or timezone.now()
    delta = value - now
    if abs(delta.total_seconds()) < 60:
        return "just now"
    text = describe_duration(delta)
    return f"in {text}" if delta.total_seconds() > 0 else f"{text} ago"


@register.filter
def duration(value):
    if not isinstance(value, timedelta):
        return ""
    return describe_duration(value)


def absolute_time(value):
    """'14 Mar 2026, 09:00 UTC' in the site's time zone (how every page writes a moment)."""
    return _absolute(timezone.localtime(value))


def _absolute(local):
    # What date_format(local, "j M Y, H:i T") writes (the month's abbreviation as Django
    # translates it), without parsing the format on every call: a page of history or timeline
    # writes hundreds of moments, and date_format took two thirds of each.
    month = MONTHS_3[local.month].title()
    return f"{local.day} {month} {local.year:04d}, {local:%H:%M} {local.tzname()}"


@register.simple_tag
def when(value):
    """A <time> element showing the relative time, with the absolute one beside it."""
    if not isinstance(value, datetime):
        # A constant: nothing from outside.
        return mark_safe('<span class="text-body-secondary">—</span>')
    local = timezone.localtime(value)
    absolute = _absolute(local)
    return format_html(
        '<time datetime="{}" title="{}" data-relative>{}</time> '
        '<span class="text-body-secondary small">({})</span>',
        local.isoformat(),
        absolute,
        relative(value),
        absolute,
    )


@register.filter
def role_name(user):
    """The role a person acts in, for the navigation bar (one permission lookup, cached)."""
    if user.is_superuser:
        return "Admin"
    if user.has_perm("incidents.cancel_incident"):
        return "Manager"
    if user.has_perm("incidents.add_incident"):
        return "Comms"
    return "Viewer"


@register.filter
def person(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


# The response clock's icons by the deadline's state: each is told by a word and an icon,
# never by colour alone.
CLOCK_ICON = '<span class="clock-icon" aria-hidden="true">{}</span> '
DRILL_MARK = '<span class="clock-drill">Drill</span> '


@register.simple_tag
def response_clock(incident):
    """An incident's response clock (crisis.clocks.ResponseClock, from an incident listed with
    ``Incident.objects.with_clocks()``): the deadline of its phase, the time its first
    acknowledgement took, and how long since detection; a drill's clock says so.

    Written here rather than by a template: lists and the dashboard show one per row, and a
    template took 60 microseconds for each. Only words: every figure comes from crisis.clocks.
    """
    clock = incident.response_clock
    if not clock:
        return ""
    drill = DRILL_MARK if clock.is_drill else ""
    since = describe_duration(clock.since_detection)
    parts = [f'<div class="response-clock" data-phase="{escape(clock.phase)}">\n']
    if clock.is_stopped:
        status = escape(incident.get_status_display().lower())
        parts.append(
            f'<div><span class="clock clock-stopped" data-clock="stopped">{drill}'
            f"{CLOCK_ICON.format('■')}Clock stopped: {status} {since} after detection"
            "</span></div>\n"
        )
    else:
        deadline = clock.deadline
        state = escape(deadline.state)
        phase = "Acknowledgement" if clock.phase == "acknowledgement" else "Next update"
        left = describe_duration(deadline.duration)
        if deadline.is_overdue:
            words = f"{CLOCK_ICON.format('⚠')}{phase} overdue by {left}"
        elif deadline.state == "due":
            when_due = "now" if deadline.is_due_now else f"soon, in {left}"
            words = f"{CLOCK_ICON.format('⏱')}{phase} due {when_due}"
        else:
            words = f"{CLOCK_ICON.format('◷')}{phase} due in {left}"
        parts.append(
            f'<div><span class="clock clock-{state}" data-clock="{state}">{drill}{words}'
            "</span></div>\n"
        )
    ack = clock.acknowledgement
    if ack and ack.is_done:
        late = "over" if ack.is_late else "within"
        parts.append(
            '<div><span class="clock clock-done" data-clock="done">'
            f"{CLOCK_ICON.format('✓')}Acknowledged {describe_duration(ack.duration)} after "
            f"detection, {late} the {describe_duration(ack.target)} target</span></div>\n"
        )
    if not clock.is_stopped:
        parts.append(f"<div>Open for <strong>{since}</strong></div>\n")
    parts.append("</div>")
    return mark_safe("".join(parts))
