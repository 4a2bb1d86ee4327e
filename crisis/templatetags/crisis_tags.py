"""Presentation helpers for every template: times, durations, people and the navigation bar.
No rules, and no queries but the person's permissions for the bar (read once per request):
durations and deadlines come from crisis.clocks, and these only put them into words. An app's
badges and clocks are in its own tag library."""

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from crisis import navigation, roles

register = template.Library()


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


def relative_day(value, today):
    """'today', 'tomorrow', 'in 5 days', 'yesterday' or '5 days ago'."""
    days = (value - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


@register.simple_tag
def on_day(value):
    """A <time> element showing a date relative to today, with the date itself beside it."""
    if isinstance(value, datetime) or not isinstance(value, date):
        return mark_safe('<span class="text-body-secondary">—</span>')
    absolute = f"{value.day} {MONTHS_3[value.month].title()} {value.year:04d}"
    return format_html(
        '<time datetime="{}" title="{}">{}</time> '
        '<span class="text-body-secondary small">({})</span>',
        value.isoformat(),
        absolute,
        relative_day(value, timezone.localdate()),
        absolute,
    )


@register.filter
def role_name(user):
    """The role a person acts in, for the navigation bar (crisis.roles)."""
    return roles.role_name(user)


@register.filter
def person(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.simple_tag(takes_context=True)
def nav_links(context, place):
    """The navigation links of ``place`` ("menu", "more" or "action") the apps registered, as
    the person may follow them on this page (crisis.navigation):
    ``{% nav_links "menu" as links %}``."""
    request = context.get("request")
    path = request.path if request is not None else None
    return navigation.links_for(context["user"], path, place)


@register.simple_tag
def home_url():
    """Where the desk starts (settings.LOGIN_REDIRECT_URL): the brand and the way back link
    there."""
    return navigation.home_url()
