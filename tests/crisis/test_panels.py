"""The composed incident page and dashboard (crisis/panels.py). Which app may name which:
test_kernel_boundary.py."""

from pathlib import Path

import pytest
from django.urls import reverse

from crisis import panels
from incidents.models import AffectedParty
from responses.models import Statement
from tests import factories

S = Statement.Status
ROOT = Path(__file__).resolve().parents[2]


def test_each_app_registers_its_panels_once():
    def names(registry):
        return [(p.func.__module__, p.func.__name__, p.slot) for p in registry]

    assert names(panels.incident_panels) == [
        ("incidents.panels", "parties_panel", "main"),
        ("incidents.lessons", "lessons_panel", "main"),
        ("incidents.panels", "postmortem_panel", "aside"),
        ("monitoring.panels", "mentions_panel", "main"),
        ("responses.panels", "statements_panel", "main"),
        ("responses.panels", "public_page_panel", "aside"),
        ("responses.panels", "action_plan_panel", "main"),
        ("responses.panels", "plan_template_panel", "aside"),
        ("responses.panels", "updates_panel", "main"),
        ("responses.panels", "unfinished_prevention_panel", "main"),
        ("team.panels", "roll_call_panel", "aside"),
        ("subscriptions.views", "subscribers_panel", "aside"),
        ("rumours.panels", "rumours_panel", "main"),
        ("press.panels", "inquiries_panel", "main"),
    ]
    assert [p.func.__name__ for p in panels.timeline_providers] == [
        "incident_entries",
        "party_entries",
        "postmortem_entries",
        "statement_entries",
        "publication_entries",
        "action_item_entries",
        "plan_application_entries",
        "update_entries",
        "callout_entries",
        "rumour_entries",
        "inquiry_entries",
    ]
    assert names(panels.dashboard_panels) == [
        ("monitoring.panels", "spikes_panel", "aside"),
        ("responses.panels", "awaiting_review_panel", "aside"),
        ("responses.panels", "my_action_items_panel", "aside"),
        ("responses.panels", "awaiting_publication_panel", "aside"),
    ]
    # What the post-mortem needs from each app (incidents never imports responses).
    assert names(panels.close_gates) == [
        ("responses.postmortem", "open_rectify_items", "main"),
        ("responses.postmortem", "waiting_statements", "main"),
        ("responses.postmortem", "waiting_public_updates", "main"),
    ]
    assert names(panels.postmortem_facts) == [
        ("incidents.panels", "lifecycle_facts", "main"),
        ("incidents.panels", "party_facts", "main"),
        ("monitoring.panels", "mention_facts", "main"),
        ("responses.postmortem", "response_facts", "main"),
        ("responses.postmortem", "action_plan_facts", "main"),
        ("press.panels", "inquiry_facts", "main"),
    ]
    assert names(panels.report_sections) == [
        ("responses.postmortem", "statement_sections", "main"),
        ("responses.postmortem", "action_plan_section", "main"),
    ]
    # What the forms where people write for the public offer beside their text.
    assert {name: names(registry) for name, registry in panels.form_aids.items()} == {
        "statement": [("lines.offer", "lines_aid", "main")],
        "media_answer": [("lines.offer", "lines_aid", "main")],
    }
    # The statement page's panels, and the public page's other languages.
    assert names(panels.statement_panels) == [("audiences.pages", "variants_panel", "main")]
    assert [t.texts.__module__ for t in panels.page_translations] == ["audiences.pages"]
    # What other apps add to the public page (responses never imports them), and its caching.
    assert [
        (s.render.__module__, s.render.__name__, s.changes.__name__, s.templates)
        for s in panels.public_sections
    ] == [("rumours.panels", "public_truths", "public_changes", ("rumours/_public_truths.html",))]
    # The Declare form's extensions that fill in first values, and who hears of an edit: the
    # mentions (incidents never imports monitoring).
    assert [
        (e.initial.__module__, e.initial.__name__)
        for e in panels.declare_extensions
        if e.initial is not None
    ] == [("monitoring.triage", "_declare_initial")]
    assert [(f.__module__, f.__name__) for f in panels.edit_listeners] == [
        ("monitoring.triage", "offer_link_after_terms_change")
    ]


def test_registering_again_adds_nothing():
    registry = []

    def provider(request, incident):
        return None

    panels.register(registry, provider)
    panels.register(registry, provider, slot="aside")

    assert [(p.func, p.slot) for p in registry] == [(provider, "main")]


def test_a_panel_goes_in_a_known_slot():
    with pytest.raises(ValueError, match="main"):
        panels.register([], lambda request, incident: None, slot="footer")


def test_panels_appear_in_their_order_and_a_provider_may_show_nothing(rf, viewer):
    registry = []
    panels.register(registry, lambda r: panels.Panel("incidents/_filter_field.html"), order=20)
    panels.register(registry, lambda r: None, order=10)
    request = rf.get("/")
    request.user = viewer

    rendered = panels.render_panels(registry, request)

    assert len(rendered["main"]) == 1 and rendered["aside"] == []


def test_the_incident_page_is_composed_of_every_apps_panels(client_as, viewer, comms):
    incident = factories.make_incident(comms)
    factories.make_party(incident, description="Customers in the north")
    factories.make_statement(incident, comms, body="We are looking into late orders.")

    html = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    aside, main = html.split("</aside>", 1)
    assert main.index('id="statements-heading"') < main.index('id="parties-heading"')
    assert main.index('id="parties-heading"') < main.index('id="timeline-heading"')
    assert "We are looking into late orders." in main
    assert 'id="public-page-heading"' in aside
    assert html.index('id="facts-heading"') < html.index('id="public-page-heading"')


def test_a_phone_reads_the_facts_and_clocks_before_the_long_lists(client_as, viewer, comms):
    incident = factories.make_incident(comms)

    html = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    # Narrow screens follow the page order; from lg up the facts move to the right column.
    assert html.index('<aside class="col-lg-4 order-lg-2">') < html.index('id="summary-heading"')
    assert html.index('data-clock="ok"') < html.index('id="statements-heading"')
    assert '<div class="col-lg-8 order-lg-1">' in html
    # What needs doing (statements, action plan, updates) comes before the mentions.
    assert html.index('id="statements-heading"') < html.index('id="action-plan-heading"')
    assert html.index('id="action-plan-heading"') < html.index('id="mentions-heading"')
    assert html.index('id="updates-heading"') < html.index('id="mentions-heading"')


# The composed page's queries: test_the_page_with_every_kind_of_record_costs_exactly_its_budget
# (below).


@pytest.mark.parametrize("count", [1, 20])
def test_the_dashboard_queries_do_not_grow_with_statements_awaiting_review(
    count, client_as, manager, comms, django_assert_max_num_queries
):
    for n in range(count):
        incident = factories.make_incident(comms, title=f"Open {n}")
        factories.make_statement(incident, comms, status=S.IN_REVIEW)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.DASHBOARD_QUERIES):
        response = client.get(reverse("incidents:dashboard"))

    assert len(response.context["awaiting_review"]) == count


# The timeline registry: kinds, their labels, and providers from apps still to come.


@pytest.fixture
def empty_timeline(monkeypatch):
    """A timeline with no provider and no kind, for the registry's own tests."""
    monkeypatch.setattr(panels, "timeline_providers", [])
    monkeypatch.setattr(panels, "timeline_kinds", {})


def entry(minute, reason, kind=""):
    from datetime import UTC, datetime

    from crisis.history import Entry

    return Entry(datetime(2026, 3, 14, 9, minute, tzinfo=UTC), None, reason, kind=kind)


def test_every_app_names_its_timeline_kinds():
    assert list(panels.timeline_kinds.items())[:8] == [
        ("status", "Status"),
        ("incident", "Incident details"),
        ("public_page", "Public page"),
        ("party", "Affected parties"),
        ("postmortem", "Post-mortem"),
        ("statement", "Statements"),
        ("review", "Reviews"),
        ("publication", "Publications"),
    ]


def test_a_provider_of_one_kind_gives_it_to_its_entries(empty_timeline, rf):
    def items(request, incident):
        return [entry(5, "Item added")]

    def other(request, incident):
        return [entry(1, "Declared", kind="status")]

    panels.register(panels.timeline_providers, items, kind="action_item", label="Action items")
    panels.register(panels.timeline_providers, other, order=10, kinds={"status": "Status"})

    found = panels.timeline(rf.get("/"), None)

    assert [(e.reason, e.kind) for e in found] == [
        ("Declared", "status"),
        ("Item added", "action_item"),
    ]
    assert panels.timeline_kinds == {"action_item": "Action items", "status": "Status"}


def test_a_kind_keeps_its_first_label_and_may_go_without_one(empty_timeline):
    panels.register([], lambda request, incident: [], kind="update", label="Updates")
    panels.register([], lambda request, incident: [], kind="update", label="Progress")
    panels.register([], lambda request, incident: [], kind="template_applied")
    panels.register([], lambda request, incident: [], kinds={"named_elsewhere": None})

    assert panels.timeline_kinds == {"update": "Updates", "template_applied": "Template applied"}


def test_a_filter_skips_providers_of_other_kinds_and_keeps_the_kinds_asked(empty_timeline, rf):
    asked = []

    def items(request, incident):
        asked.append("items")
        return [entry(5, "Item added")]

    def mixed(request, incident):
        asked.append("mixed")
        return [entry(1, "Declared", kind="status"), entry(2, "Edited", kind="incident")]

    panels.register(panels.timeline_providers, items, kind="action_item")
    panels.register(panels.timeline_providers, mixed, kinds={"status": "S", "incident": "I"})

    found = panels.timeline(rf.get("/"), None, kinds={"status"})

    assert [e.reason for e in found] == ["Declared"]
    assert asked == ["mixed"]


def test_only_providers_that_take_a_limit_are_given_one(empty_timeline, rf):
    given = {}

    def old_style(request, incident):
        given["old"] = "called"
        return [entry(1, "Old")]

    def limited(request, incident, *, limit=None):
        given["limited"] = limit
        return [entry(2, "New")]

    panels.register(panels.timeline_providers, old_style, kind="a")
    panels.register(panels.timeline_providers, limited, kind="b")

    found = panels.timeline(rf.get("/"), None, limit=31)

    assert given == {"old": "called", "limited": 31}
    assert [e.reason for e in found] == ["Old", "New"]


def test_a_new_apps_entries_appear_on_the_incident_page_and_the_timeline_page(
    monkeypatch, client_as, viewer, comms
):
    incident = factories.make_incident(comms)

    def applied(request, shown_incident):
        from crisis.history import Entry

        return [
            Entry(
                shown_incident.declared_at,
                comms,
                "Plan template applied: Data breach",
                subject="Action plan",
                detail="6 action items",
            )
        ]

    monkeypatch.setattr(panels, "timeline_providers", list(panels.timeline_providers))
    monkeypatch.setattr(panels, "timeline_kinds", dict(panels.timeline_kinds))
    panels.register(panels.timeline_providers, applied, kind="template", label="Plan templates")
    client = client_as(viewer)

    page = factories.page_text(client.get(incident.get_absolute_url()))
    filtered = client.get(
        reverse("incidents:timeline", args=[incident.reference]) + "?kind=template"
    )

    assert "<strong>Plan template applied: Data breach</strong>" in page
    assert "6 action items" in page
    assert [e.reason for e in filtered.context["page"].object_list] == [
        "Plan template applied: Data breach"
    ]
    assert '<label class="form-check-label" for="kind-template">Plan templates</label>' in (
        factories.page_text(filtered)
    )


# The incident page with something of every kind: the budget is exact, at two sizes.


def fill_every_panel(incident, earlier, comms, manager, count):
    """``count`` records of every kind the incident page shows: parties, statements waiting for
    review, action items, internal updates, mentions, call-outs with their answers, plan
    templates applied; and on ``earlier`` (of the same category), prevention items."""
    from monitoring.models import Mention
    from responses.models import ActionItem
    from responses.plans import apply_template
    from team.models import CallOut

    for n in range(count):
        factories.make_party(
            incident,
            description=f"Group {n}",
            outreach_status=AffectedParty.Outreach.CONTACTED,
            outreach_at=incident.declared_at,
        )
        factories.make_statement(incident, comms, body=f"Statement {n}.", status=S.IN_REVIEW)
        factories.make_action_item(incident, comms, title=f"Item {n}")
        factories.make_action_item(
            earlier, comms, title=f"Prevent {n}", kind=ActionItem.Kind.PREVENT
        )
        factories.make_update(incident, comms, body=f"Log {n}.")
        factories.make_mention(incident, reach=n)
        CallOut.call(incident=incident, by=manager, people=[comms, manager])
        template = factories.make_plan_template(f"Playbook {n}", items=[])
        apply_template(template, incident, comms, again=True)
    assert Mention.objects.filter(incident=incident).count() == count


@pytest.mark.parametrize("count", [1, 8])
def test_the_page_with_every_kind_of_record_costs_exactly_its_budget(
    count, client_as, manager, comms, django_assert_num_queries
):
    earlier = factories.make_incident(comms, title="An earlier storm")
    incident = factories.make_incident(comms)
    fill_every_panel(incident, earlier, comms, manager, count)
    client = client_as(manager)

    with django_assert_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(incident.get_absolute_url())

    html = factories.page_text(response)
    assert html.count("Waiting for your approval") == count
    assert html.count('id="party-') == count
    assert "Prevent 0" in html
    assert "Roll call" in html
    kinds = {entry.kind for entry in response.context["timeline"]}
    assert {"party", "statement", "action_item", "update", "callout", "template"} <= kinds


def test_a_shared_read_runs_once_per_request(rf):
    request, other = rf.get("/"), rf.get("/")
    calls = []

    def load():
        calls.append(1)
        return ["rows"]

    assert panels.shared(request, ("k", 1), load) == ["rows"]
    assert panels.shared(request, ("k", 1), load) == ["rows"]
    assert len(calls) == 1
    panels.shared(request, ("k", 2), load)
    panels.shared(other, ("k", 1), load)
    assert len(calls) == 3


def test_reads_together_give_each_row_of_every_sliced_read_once(
    comms, incident, django_assert_num_queries
):
    from monitoring.models import Mention

    for n in range(6):
        factories.make_mention(incident, reach=10 - n)
    linked = Mention.objects.filter(incident=incident)
    top = linked.order_by("-reach", "-pk")[:2]
    latest = linked.order_by("-posted_at", "-pk")[:2]
    smallest = linked.order_by("reach", "pk")[:2]

    with django_assert_num_queries(1):
        rows = panels.read_together(top, latest, smallest)

    expected = {m.pk for m in [*top, *latest, *smallest]}
    assert sorted(m.pk for m in rows) == sorted(expected)


def test_history_managers_are_made_from_one_class_per_model(incident):
    from incidents.models import Incident

    first, second = Incident.history, Incident.history

    assert first is not second
    assert type(first) is type(second)
    assert first.filter(id=incident.pk).count() == 1
    assert incident.history.count() == 1
