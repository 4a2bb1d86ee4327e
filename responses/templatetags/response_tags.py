"""Template tags of the responses app: the badges of its records' statuses. Templates that use
them say ``{% load response_tags %}``."""

from django import template

register = template.Library()

STATUS_BADGES = {
    # Statements (Statement.Status); progress updates share draft, published and withdrawn.
    "draft": "text-bg-light border",
    "in_review": "text-bg-warning",
    "approved": "text-bg-info",
    "published": "text-bg-success",
    "withdrawn": "text-bg-secondary",
    # Action items (ActionItem.Status).
    "open": "text-bg-light border",
    "in_progress": "text-bg-info",
    "done": "text-bg-success",
    "dropped": "text-bg-secondary",
}


@register.filter
def status_badge(status):
    """A statement's, progress update's or action item's status badge class."""
    return STATUS_BADGES.get(status, "text-bg-secondary")
