"""Plain test factories with fixed, readable defaults; pass ``**overrides`` to change a field."""

import re
from html import unescape

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crisis.roles import COMMS, MANAGERS, ROLE_PERMISSIONS, sync_roles
from incidents.models import AffectedParty, Incident

PASSWORD = "correct-horse-battery-staple"


def make_user(username="someone", *, group=None, **overrides):
    fields = {
        "first_name": username.title(),
        "last_name": "Tester",
        "email": f"{username}@example.com",
    }
    fields.update(overrides)
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)
    if group:
        if not Group.objects.filter(name=group).exists():
            # Groups come from a data migration; a flushed database (live_server tests) lost them.
            sync_roles(apps, ROLE_PERMISSIONS)
        user.groups.add(Group.objects.get(name=group))
    return user


def make_comms(username="comms", **overrides):
    return make_user(username, group=COMMS, **overrides)


def make_manager(username="manager", **overrides):
    return make_user(username, group=MANAGERS, **overrides)


def make_incident(by=None, *, status=None, **overrides):
    """Declare an incident (through the model verb, so it has a reference and history)."""
    by = (
        by
        or get_user_model().objects.filter(username="factory-comms").first()
        or make_comms("factory-comms")
    )
    fields = {
        "title": "Angry replies about late deliveries",
        "summary": "Orders from the north warehouse are late.",
        "category": Incident.Category.NEGATIVE_COMMENTS,
        "severity": Incident.Severity.MAJOR,
        "platforms": ["x", "instagram"],
        "tracking_terms": "#late, delivery",
        "lead": by,
    }
    fields.update(overrides)
    incident = Incident.declare(by=by, **fields)
    if status is not None:
        _walk_to(incident, status)
    return incident


def _walk_to(incident, status):
    """Move through the lifecycle as a manager would, to reach ``status``."""
    manager = get_user_model().objects.filter(username="factory-manager").first() or make_manager(
        "factory-manager"
    )
    S = Incident.Status
    paths = {
        S.TRIAGE: [],
        S.RESPONDING: ["respond"],
        S.MONITORING: ["respond", "monitor"],
        S.RESOLVED: ["respond", "resolve"],
        S.CLOSED: ["respond", "resolve", "close"],
        S.CANCELLED: ["cancel"],
    }
    for action in paths[status]:
        if action == "cancel":
            incident.cancel(by=manager, reason="False alarm")
        elif action == "close":
            incident.close(by=manager)
        else:
            incident.move(action, by=manager)


def make_party(incident, by=None, **overrides):
    fields = {
        "kind": AffectedParty.Kind.CUSTOMERS,
        "description": "Customers in the north",
        "estimated_count": 1200,
        "impact": "Orders three days late.",
    }
    fields.update(overrides)
    party = AffectedParty(incident=incident, **fields)
    return party.add(by=by or incident.declared_by)


# Reading results back: what the database holds now, and what a page showed.


def reload(obj):
    """A fresh copy of ``obj`` from the database, to see what was really saved."""
    return type(obj)._default_manager.get(pk=obj.pk)


def snapshot(obj):
    """Every stored field of ``obj`` as the database holds it now, to prove nothing changed."""
    fresh = reload(obj)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


_MESSAGE = re.compile(
    r'<div class="alert alert-(?P<level>\w+)[^"]*"[^>]*role="(?:alert|status)">\s*(?P<text>.*?)\s*'
    r'<button type="button" class="btn-close"',
    re.DOTALL,
)


def messages_shown(response):
    """The flash messages a page showed, as ``(level, text)``: level is success, danger…"""
    html = response.content.decode()
    return [(m["level"], unescape(m["text"])) for m in _MESSAGE.finditer(html)]


def page_text(response):
    """The page's HTML with entities decoded, so assertions can use plain quotes and dashes."""
    return unescape(response.content.decode())
