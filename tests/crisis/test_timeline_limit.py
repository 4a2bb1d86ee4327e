"""Every timeline provider honours ``limit``: asked for the newest few entries of a long history,
it reads only them (and the rows just before them), and they read as in the full timeline."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from crisis import panels
from incidents.models import Incident
from responses import plans
from responses.models import Publication, Statement
from team.models import CallOut
from tests import factories

LIMIT = 3
# Each kind of record gets more history rows than the limit.
EDITS = LIMIT + 2


def _edit(record, by, field, times):
    for n in range(times):
        setattr(record, field, f"{getattr(record, field)} ({n})")
        record.save_edit(by=by, expected_version=record.version, fields=[field])
        record.refresh_from_db()


@pytest.fixture
def busy(comms, manager):
    """An incident with a long history of every kind the timeline shows, post-mortem included."""
    incident = factories.make_incident(comms)
    _edit(incident, comms, "summary", EDITS)
    _edit(factories.make_party(incident, by=comms), comms, "description", EDITS)
    _edit(factories.make_statement(incident, comms), comms, "body", EDITS)
    statement = factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    publication = Publication.objects.get(statement=statement)
    for n in range(EDITS):
        publication.set_link(f"https://x.com/us/status/{n}", by=manager)
    for n in range(2):
        _edit(factories.make_action_item(incident, comms, title=f"Step {n}"), comms, "details", 2)
    template = factories.make_plan_template()
    for _ in range(EDITS):
        plans.apply_template(template, incident, manager, again=True)
    for n in range(EDITS):
        factories.make_update(incident, comms, body=f"Log {n}")
    for _ in range(EDITS):
        callout = CallOut.call(incident=incident, by=manager, people=[comms, manager])
        callout.answers.get(person=comms).answer(by=comms, reply="joining")
    for n in range(EDITS):
        factories.make_rumour(incident, comms, claim=f"Claim {n}")
        factories.make_inquiry(incident, comms, question=f"Question {n}?")
    # An answer to the first call, given after the later calls.
    first = CallOut.objects.filter(incident=incident).order_by("pk").first()
    first.answers.get(person=manager).answer(by=manager, reply="cannot")
    factories.walk_to(incident, Incident.Status.RESOLVED)
    _edit(factories.make_postmortem(incident, by=manager), manager, "summary", EDITS)
    incident.refresh_from_db()
    return incident


def _shown(entries):
    """What a reader sees of each entry, newest first."""
    return [
        (e.at, e.kind, e.reason, e.action, e.subject, e.detail, e.url, str(e.by), e.changes)
        for e in sorted(entries, key=lambda e: e.at, reverse=True)
    ]


def test_every_provider_reads_only_the_newest_rows(busy, viewer):
    def request():
        # A request of its own for each read: reads shared within a request
        # (crisis.panels.shared) must not hide what the limited one asks.
        made = RequestFactory().get("/")
        made.user = viewer
        return made

    assert panels.timeline_providers
    for provider in panels.timeline_providers:
        name = provider.func.__name__
        everything = provider.func(request(), busy)
        with CaptureQueriesContext(connection) as queries:
            newest = provider.func(request(), busy, limit=LIMIT)

        assert provider.takes_limit, name
        # The history is long enough to tell a limited read from a full one.
        assert len(everything) > LIMIT + 1, name
        assert LIMIT <= len(newest) < len(everything), name
        # The newest entries read as in the full timeline: same headline, changes and detail
        # (the rows just before them were read to tell what they changed).
        assert _shown(newest)[:LIMIT] == _shown(everything)[:LIMIT], name
        # Every query it ran is limited: none reads the whole history.
        assert queries.captured_queries, name
        assert all("LIMIT" in q["sql"] for q in queries.captured_queries), name
