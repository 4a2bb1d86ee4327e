"""The timeline describes only the entries a page shows (crisis.history.Entry.later): the
incident page's preview is the newest 30 of the full timeline, described the same, and the
entries it leaves out are never diffed nor passed to their provider's ``describe``."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from crisis.history import Entry
from incidents import views as incident_views
from tests import factories

START = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MOMENTS = 12


def _shown(entry):
    """What a reader sees of an entry."""
    return (
        entry.at,
        entry.kind,
        entry.reason,
        entry.action,
        entry.subject,
        entry.detail,
        entry.url,
        str(entry.by),
        entry.changes,
    )


@pytest.fixture
def interleaved(comms):
    """An incident whose records of several kinds (incident edits, parties, statements, action
    items, updates from history; rumours and media inquiries made directly) change at the same
    moments, four or five at a time, and at moments apart."""
    with time_machine.travel(START, tick=False):
        incident = factories.make_incident(comms)
    for n in range(MOMENTS):
        with time_machine.travel(START + timedelta(minutes=n + 1), tick=False):
            incident.summary = f"Summary {n}"
            incident.save_edit(by=comms, expected_version=incident.version, fields=["summary"])
            incident.refresh_from_db()
            factories.make_party(incident, by=comms, description=f"Party {n}")
            factories.make_action_item(incident, comms, title=f"Step {n}")
            if n % 2:
                factories.make_rumour(incident, comms, claim=f"Claim {n}")
            else:
                factories.make_update(incident, comms, body=f"Log {n}")
        with time_machine.travel(START + timedelta(minutes=n + 1, seconds=30), tick=False):
            factories.make_statement(incident, comms, body=f"Words {n}")
            if n % 3 == 0:
                factories.make_inquiry(incident, comms, question=f"Question {n}?")
    return incident


def _described(monkeypatch):
    """The entries described from now on, as a list that grows."""
    described = []
    describe = Entry.__getattr__

    def spy(entry, name):
        if not entry.is_described:
            described.append(entry)
        return describe(entry, name)

    monkeypatch.setattr(Entry, "__getattr__", spy)
    return described


def test_the_preview_is_the_newest_30_of_the_full_timeline_described_the_same(
    interleaved, client_as, viewer
):
    client = client_as(viewer)

    preview = client.get(interleaved.get_absolute_url()).context["timeline"]
    full = client.get(reverse("incidents:timeline", args=[interleaved.reference]))
    everything = full.context["page"].object_list

    assert len(everything) > 60
    assert [_shown(e) for e in preview] == [_shown(e) for e in everything[:30]]
    # Several kinds among them, the same moments shared by several, in their providers' order.
    assert {"incident", "party", "action_item", "update", "rumour", "statement"} <= {
        e.kind for e in preview
    }
    latest = START + timedelta(minutes=MOMENTS)
    assert [(e.kind, e.subject) for e in preview if e.at == latest] == [
        ("rumour", "Rumour: Claim 11"),
        ("action_item", "Action item: Step 11"),
        ("party", "Affected party: Party 11"),
        ("incident", "Incident"),
    ]
    # Each described from its own row and the one before it.
    edits = [(e.at, e.detail) for e in preview if e.kind == "incident"]
    parties = [(e.at, e.subject) for e in preview if e.kind == "party"]
    assert len(edits) == len(parties) > 3
    for minutes in range(MOMENTS - len(edits) + 1, MOMENTS + 1):
        at = START + timedelta(minutes=minutes)
        assert (at, f"Summary: Summary {minutes - 2} → Summary {minutes - 1}") in edits
        assert (at, f"Affected party: Party {minutes - 1}") in parties


def test_the_incident_page_describes_only_the_entries_it_shows(
    interleaved, client_as, viewer, monkeypatch
):
    client = client_as(viewer)
    client.get(interleaved.get_absolute_url())  # sessions and caches warmed
    described = _described(monkeypatch)

    shown = client.get(interleaved.get_absolute_url()).context["timeline"]

    assert len(shown) == incident_views.TIMELINE_PREVIEW
    from_history = [e for e in shown if e.history_id]
    assert from_history and len(described) == len(from_history)
    assert {id(e) for e in described} == {id(e) for e in from_history}


@pytest.mark.parametrize("kind", [None, "party"])
def test_the_timeline_page_describes_only_its_page(
    interleaved, client_as, viewer, monkeypatch, kind
):
    monkeypatch.setattr(incident_views, "TIMELINE_PAGE_SIZE", 5)
    client = client_as(viewer)
    url = reverse("incidents:timeline", args=[interleaved.reference])
    query = {"page": 2} | ({"kind": kind} if kind else {})
    described = _described(monkeypatch)

    page = client.get(url, query).context["page"]

    assert page.paginator.count > 10
    assert len(described) == len([e for e in page.object_list if e.history_id]) > 0
    if kind:
        assert {e.kind for e in page.object_list} == {kind}


def test_an_entry_made_later_is_described_once_on_first_read():
    calls = []

    def describe(entry):
        calls.append(entry.at)
        entry.by, entry.reason, entry.action, entry.subject = None, "Edited", "changed", "X"
        entry.changes, entry.kind, entry.detail, entry.url = [], "", "", ""

    entry = Entry.later(START, 7, describe)
    entry.then(lambda e: setattr(e, "kind", e.kind or "party"))

    assert (entry.at, entry.history_id, entry.is_described, calls) == (START, 7, False, [])
    assert (entry.reason, entry.kind, entry.subject) == ("Edited", "party", "X")
    assert entry.is_described and calls == [START]
    assert entry == Entry(START, None, "Edited", subject="X", history_id=7, kind="party")
    assert calls == [START]


def test_an_entry_made_whole_takes_its_default_kind_at_once():
    made = Entry(START, None, "Declared")

    made.then(lambda e: setattr(e, "kind", e.kind or "status"))

    assert made.is_described and made.kind == "status"
    with pytest.raises(AttributeError):
        made.no_such_field  # noqa: B018
