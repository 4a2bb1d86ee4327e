"""Template tags of the rumours app: the badges of a rumour's risk and finding."""

from django import template

register = template.Library()

RISK_BADGES = {"high": "text-bg-danger", "medium": "text-bg-warning", "low": "text-bg-secondary"}
VERIFICATION_BADGES = {
    "unverified": "text-bg-light border",
    "false": "text-bg-danger",
    "partly_true": "text-bg-warning",
    "true": "text-bg-success",
}


@register.filter
def risk_badge(risk):
    return RISK_BADGES.get(risk, "text-bg-secondary")


@register.filter
def verification_badge(verification):
    return VERIFICATION_BADGES.get(verification, "text-bg-secondary")
