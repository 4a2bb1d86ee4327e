"""Plain test factories with fixed, readable defaults; pass ``**overrides`` to change a field."""

import itertools
import re
from html import unescape
from html.parser import HTMLParser

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import QueryDict

from crisis import timekeeper
from crisis.roles import COMMS, MANAGERS, ROLE_PERMISSIONS, sync_roles
from incidents.models import AffectedParty, Incident
from tests.public_factories import *  # noqa: F403 - branding and accounts, re-exported

PASSWORD = "correct-horse-battery-staple"
_once_tokens = itertools.count(1)


# The incident page's query budget, whatever the incident holds (28):
# - session, user, the incident (lead, declarer, post-mortem joined), the response targets,
#   the user's permissions (5);
# - the timeline, each provider its newest rows, the rows just before them and the users they
#   name in one query (crisis.history.latest_records): incident, parties, statements,
#   publications, action items, plan templates applied, updates, call-outs with their answers
#   (read once, shared with the roll call: crisis.panels.shared) (8);
# - the panels: statements, their wording history (only when one waits for review), parties,
#   plan templates offered, the action plan with the unfinished prevention items of earlier
#   incidents (one read), updates, the mention counts, the top and latest mentions (one read),
#   the lessons of earlier incidents, the media inquiries and the rumours (each one read,
#   shared with the timeline) (11);
# - a statement in review: its running round, its stages and their backups, and the groups of
#   the person reading (who decides a stage) (4).
# tests/crisis/test_panels.py pins it exactly on a page with every kind of record at two sizes,
# and every page-size test of the incident page keeps below it at two sizes, so an N+1 fails; a
# new panel raises it here, once.
INCIDENT_PAGE_QUERIES = 28
# The dashboard's, likewise: the open incidents counted by severity, the most urgent of them with
# their clocks, then each app's panels (waiting for approval, my action items, updates waiting
# for publication, mention spikes). Waiting for approval reads the person's groups, and the
# running rounds of what waits (rounds, stages, backups).
DASHBOARD_QUERIES = 18
# The incident list's own statements, whatever the incidents, the filters and the page: every
# desk segment counted up to the cap (one statement), the lead filter's choices (which also check
# a chosen lead), the page's rows (their ids read from each segment as a subquery of the same
# statement; on an empty page, instead, whether any incident exists), and every severity's
# response targets for the rows' clocks (one query, none on an empty page: issue 19 moved them
# out of the rows' statement, where they were a subquery per row).
LIST_STATEMENTS = 4
# Those, plus the signed-in baseline of every page: session and user, and the user's permissions
# (one query: crisis.backends.PermissionsInOneQuery).
LIST_QUERIES = 3 + LIST_STATEMENTS

# What a page says when it refuses a change to a closed incident (the frozen guard's words).
FROZEN_NOTICE = (
    "danger",
    "The incident is closed: it and everything under it are frozen. A manager may reopen it.",
)


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


def default_targets():
    """The four response targets as migration 0005 loads them, ``{severity: row}`` (a flushed
    database, after live_server tests, lost them)."""
    from responses.models import DEFAULT_TARGETS, ResponseTarget

    return {
        severity: ResponseTarget.objects.get_or_create(
            severity=severity,
            defaults={"acknowledgement_minutes": ack, "update_cadence_minutes": cadence},
        )[0]
        for severity, (ack, cadence) in DEFAULT_TARGETS.items()
    }


def make_incident(by=None, *, status=None, **overrides):
    """Declare an incident (through the model verb, so it has a reference and history)."""
    by = (
        by
        or get_user_model().objects.filter(username="factory-comms").first()
        or make_comms("factory-comms")
    )
    fields = {
        "title": "Angry replies about late deliveries",
        # What a public page or a published statement needs (never the internal title).
        "public_title": "Late deliveries",
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
        walk_to(incident, status)
    return incident


def walk_to(incident, status):
    """Move through the lifecycle as a manager would, to reach ``status`` (Closed past the
    gates: see :func:`close_past_the_gates`)."""
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
            # Whatever the incident holds: tests of a closed incident's records need it closed.
            close_past_the_gates(incident, manager)
        else:
            incident.move(action, by=manager)


POSTMORTEM_TEXT = {
    "summary": "Deliveries from the north warehouse ran three days late.",
    "root_cause": "A carrier changed its pickup times without telling us.",
    "impact": "About 1,200 customers waited for their orders.",
    "went_well": "The holding statement went out within the hour.",
    "went_wrong": "Support learned of the delay from social media.",
    "lessons_learned": "Carriers' schedule changes must reach the desk.",
    "follow_up": "A weekly check of carrier schedules, owned by logistics.",
}


def make_postmortem(incident, by=None, **overrides):
    """A saved draft post-mortem with every field filled in (``field=""`` leaves one empty)."""
    from incidents.models import PostMortem

    fields = {**POSTMORTEM_TEXT, **overrides}
    postmortem = PostMortem(incident=incident, **fields)
    return postmortem.save_draft(by=by or incident.declared_by)


def close_with_postmortem(incident, *, by, **overrides):
    """Close a resolved incident the only way there is: submitting its complete post-mortem."""
    from incidents.models import PostMortem

    postmortem = PostMortem.objects.filter(incident=incident).first()
    if postmortem is None:
        postmortem = PostMortem(incident=incident)
    for name, value in {**POSTMORTEM_TEXT, **overrides}.items():
        setattr(postmortem, name, value)
    expected = postmortem.version if postmortem.pk else None
    postmortem.submit(by=by, expected_version=expected)
    incident.refresh_from_db()
    return postmortem


def close_past_the_gates(incident, manager):
    """Close a resolved incident with a complete post-mortem, even when the gates would refuse
    (a statement still in review, a Rectify item open): the frozen guard's tests need closed
    incidents holding such records, as a database closed before the gates existed may. The app
    itself has no such path: it closes only through PostMortem.submit (see
    close_with_postmortem)."""
    from incidents.models import PostMortem
    from incidents.models.postmortem import CLOSED_REASON

    if not PostMortem.objects.filter(incident=incident).exists():
        make_postmortem(incident, by=manager)
    incident._transition(
        "close", by=manager, reason=CLOSED_REASON, changes={"closed_at": incident.resolved_at}
    )
    return incident


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


def once_token():
    """A new one-time token, as a creating form carries in its hidden ``once_token`` field."""
    return f"test-once-token-{next(_once_tokens):06d}"


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


class _FormReader(HTMLParser):
    """Collects each <form>'s fields with the values a browser would submit."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(QueryDict(mutable=True))
        elif not self.forms:
            return
        elif tag == "input" and "name" in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.forms[-1].appendlist(attrs["name"], attrs.get("value") or "on")
            elif kind not in ("submit", "button", "reset"):
                self.forms[-1].appendlist(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.forms[-1].appendlist(self._select, attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = [attrs.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Like a browser, drop the one line break that follows the opening tag.
            self.forms[-1].appendlist(name, text[1:] if text.startswith("\n") else text)
            self._textarea = None


def form_values(response, containing):
    """What the page's form holding a field named ``containing`` would submit, as a QueryDict
    (``dict(values.lists())`` posts it again, as a person pressing the button would)."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    for form in reader.forms:
        if containing in form:
            return form
    raise AssertionError(f"No form on the page has a field named {containing!r}.")


def make_statement(incident=None, by=None, *, status=None, **overrides):
    """Draft a statement (through the model verb, so it has history), then walk it to ``status``
    as its author and a second manager, ``factory-manager``, would."""
    from responses.models import Statement

    incident = incident or make_incident()
    by = by or incident.declared_by
    fields = {
        "kind": Statement.Kind.HOLDING,
        "body": "We know some orders are late. We are on it and will update you here by 18:00.",
        "target_platforms": ["x"],
    }
    fields.update(overrides)
    statement = Statement.draft(incident=incident, by=by, **fields)
    if status is None or status == Statement.Status.DRAFT:
        return statement
    manager = get_user_model().objects.filter(username="factory-manager").first() or make_manager(
        "factory-manager"
    )
    S = Statement.Status
    if status == S.WITHDRAWN:
        return statement.withdraw(by=by)
    statement.submit(by=by)
    if status in (S.APPROVED, S.PUBLISHED):
        statement.approve(by=manager)
    if status == S.PUBLISHED:
        statement.publish(by=manager)
    return statement


def make_action_item(incident, by=None, **overrides):
    """Add an item at the end of the incident's action plan (through the model verb, so it has
    history). ``by`` defaults to the incident's declarer, who also owns it."""
    from responses.models import ActionItem

    by = by or incident.declared_by
    fields = {
        "title": "Reply to every complaint with the new delivery date",
        "details": "Use the approved holding lines.",
        "kind": ActionItem.Kind.RECTIFY,
        "owner": by,
    }
    fields.update(overrides)
    return ActionItem(incident=incident, **fields).add(by=by)


def make_plan_template(name="Comment storm playbook", *, items=None, **overrides):
    """A plan template with its items (by default one Rectify item due 2 h after detection, owned
    by the lead, and one Prevent item for whoever applies it)."""
    from responses.models import PlanTemplate, PlanTemplateItem

    fields = {
        "category": Incident.Category.NEGATIVE_COMMENTS,
        "holding_statement": "We see your messages about {public_title} on {platforms}. "
        "We are on it and will update you here by {next_update}.",
    }
    fields.update(overrides)
    template = PlanTemplate.objects.create(name=name, **fields)
    if items is None:
        items = [
            {"title": "Answer the top comments", "due_after_hours": 2, "is_public": True},
            {
                "title": "Review moderation rules",
                "kind": "prevent",
                "due_after_hours": 72,
                "default_owner": "applier",
            },
        ]
    for position, item in enumerate(items, start=1):
        PlanTemplateItem.objects.create(template=template, position=position, **item)
    return template


def load_playbooks():
    """The playbooks the migrations load (responses 0007), again: a flushed database (after the
    live_server tests) lost them. Loading is idempotent."""
    import importlib

    importlib.import_module("responses.migrations.0007_templates_playbooks").load(apps, None)


def make_update(incident=None, by=None, *, kind="internal", status=None, **overrides):
    """Post an internal update, or draft a public one (through the model verbs, so it has
    history) and walk it to ``status`` as its author and ``factory-manager`` would."""
    from responses.models import ProgressUpdate

    incident = incident or make_incident()
    by = by or incident.declared_by
    body = overrides.pop("body", "Support has a script for calls about late orders.")
    if kind == ProgressUpdate.Kind.INTERNAL:
        return ProgressUpdate.post_internal(incident=incident, by=by, body=body)
    update = ProgressUpdate.draft_public(incident=incident, by=by, body=body, **overrides)
    S = ProgressUpdate.Status
    if status == S.PUBLISHED:
        manager = get_user_model().objects.filter(
            username="factory-manager"
        ).first() or make_manager("factory-manager")
        update.publish(by=manager)
    elif status == S.WITHDRAWN:
        update.withdraw(by=by)
    return update


def mention_item(n=1, **overrides):
    """One mention as a listening tool sends it (a dict for ``ingest_mentions`` or the API)."""
    item = {
        "platform": "x",
        "external_id": f"post-{n}",
        "url": f"https://x.com/someone/status/{n}",
        "author": "@someone",
        "text": f"Still waiting for my parcel, day {n}",
        "posted_at": "2026-03-14T10:00:00+00:00",
        "reach": 120,
    }
    item.update(overrides)
    return item


def make_mention(incident=None, **overrides):
    """A stored mention (linked to ``incident`` when given), neutral unless told otherwise."""
    from datetime import UTC, datetime

    from monitoring.models import Mention

    n = Mention.objects.count() + 1
    fields = {
        "platform": "x",
        "external_id": f"stored-{n}",
        "url": f"https://x.com/someone/status/{n}",
        "author": "@someone",
        "text": "Still waiting for my parcel",
        "posted_at": datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
        "sentiment_score": 0.0,
        "sentiment_label": "neutral",
        "reach": 100,
        "source": "test",
        "incident": incident,
    }
    if incident is not None:
        fields["linked_at"] = fields["posted_at"]
    fields.update(overrides)
    mention = Mention.objects.create(**fields)
    count_stored([mention.pk])
    return mention


def count_stored(ids):
    """Add mentions stored around the ingestion (``Mention.objects.create``, ``bulk_create``) to
    the mention counts, as the ingestion does for its own."""
    from django.db import connection

    from monitoring import counts

    with connection.cursor() as cursor:
        counts.add_stored(cursor, list(ids))


def make_line(by=None, *, approved_by=None, **overrides):
    """Write an approved line (through the model verb, so it has history) as ``by`` (a comms
    person), and approve it as ``approved_by`` when given."""
    import datetime

    from lines.models import ApprovedLine

    by = (
        by
        or get_user_model().objects.filter(username="factory-comms").first()
        or make_comms("factory-comms")
    )
    fields = {
        "category": Incident.Category.NEGATIVE_COMMENTS,
        "kind": ApprovedLine.Kind.LINE,
        "text": "We hear you, and we are sorry for the wait.",
        "owner": by,
        "review_by": datetime.date(2099, 1, 1),
    }
    fields.update(overrides)
    line = ApprovedLine.draft(by=by, **fields)
    if approved_by is not None:
        line.approve(by=approved_by, version=line.version)
    return line


AUDIENCES = {
    # name: (way out, who approves), as audiences' migration 0002 seeds them.
    "Customers": ("page", "last_stage"),
    "Employees": ("mail", "four_eyes"),
    "Press": ("press", "last_stage"),
    "Regulators": ("letter", "last_stage"),
    "Partners": ("letter", "four_eyes"),
    "Investors": ("press", "last_stage"),
}


def audience(name="Customers", **overrides):
    """The audience ``name`` as the migration seeds it (made again after a flush), with
    ``overrides`` saved onto it."""
    from audiences.models import Audience

    way_out, rule = AUDIENCES.get(name, ("letter", "four_eyes"))
    row, _ = Audience.objects.get_or_create(
        name=name, defaults={"way_out": way_out, "approval_rule": rule}
    )
    if overrides:
        for field, value in overrides.items():
            setattr(row, field, value)
        row.save()
    return row


def make_variant(core, by=None, *, audience_name="Customers", language="fr", **overrides):
    """Write a variant of ``core`` (approved or published) through the model verb, as ``by`` (a
    comms person by default)."""
    from audiences.models import Variant

    by = (
        by
        or get_user_model().objects.filter(username="factory-comms").first()
        or make_comms("factory-comms")
    )
    fields = {"body": "Nous savons que certaines commandes sont en retard. Nous nous en occupons."}
    fields.update(overrides)
    return Variant.draft(
        core=core, audience=audience(audience_name), language=language, by=by, **fields
    )


def make_inquiry(incident, by=None, *, answer="", **overrides):
    """Log a media inquiry on ``incident`` (through the model verb, so it has history) as ``by``
    (a comms person), due two hours after it was received; with ``answer``, word it as ``by``."""
    import datetime

    from press.models import MediaInquiry

    by = (
        by
        or get_user_model().objects.filter(username="factory-comms").first()
        or make_comms("factory-comms")
    )
    received_at = overrides.pop("received_at", timekeeper.now())
    fields = {
        "outlet": "Daily Courier",
        "journalist": "Ana Reyes",
        "contact": "ana.reyes@courier.example",
        "question": "How many customers are affected?",
        "received_at": received_at,
        "deadline": received_at + datetime.timedelta(hours=2),
    }
    fields.update(overrides)
    inquiry = MediaInquiry.log(incident=incident, by=by, **fields)
    if answer:
        inquiry.answer = answer
        inquiry.save_answer(by=by, expected_version=inquiry.version, fields=["answer"])
    return inquiry


def make_rumour(incident, by=None, *, mentions=(), **overrides):
    """Log a rumour on ``incident`` (through the model verb, so it has history) as ``by`` (its
    declarer by default), seen in ``mentions``."""
    from rumours.models import Rumour

    by = by or incident.declared_by
    fields = {
        "claim": "Card numbers leaked during the outage",
        "risk": Rumour.Risk.HIGH,
        "owner": by,
    }
    fields.update(overrides)
    return Rumour.log(incident=incident, by=by, mentions=mentions, **fields)


def make_group(name):
    """A group of people who decide a stage (not a role: no permissions)."""
    return Group.objects.get_or_create(name=name)[0]


def make_chain(
    name="Data breach sign-off",
    *,
    category="data_breach",
    min_severity=2,
    stages=(("Comms lead", "Comms leads"), ("Legal", "Legal"), ("Executive", "Executives")),
    minutes=30,
    backups=None,
    **overrides,
):
    """An approval chain of ``stages`` (name, group name), each given ``minutes`` to decide;
    ``backups`` maps a stage's name to its backup users."""
    from responses.models import ApprovalChain, ChainStage

    chain = ApprovalChain.objects.create(
        name=name, category=category, min_severity=min_severity, **overrides
    )
    for position, (stage_name, group_name) in enumerate(stages, 1):
        stage = ChainStage.objects.create(
            chain=chain,
            position=position,
            name=stage_name,
            group=make_group(group_name),
            minutes_to_decide=minutes,
        )
        stage.backups.set((backups or {}).get(stage_name, []))
    return chain


def make_member(username, group_name, **overrides):
    """Someone in the group ``group_name`` (made if need be), and no role."""
    user = make_user(username, **overrides)
    user.groups.add(make_group(group_name))
    return user
