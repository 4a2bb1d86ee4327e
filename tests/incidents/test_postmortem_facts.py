"""What the post-mortem form knows of an incident (crisis.panels.postmortem_facts), for a fixed
story with known times, and the text each field starts from."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from crisis import panels
from incidents.models import AffectedParty, Incident, PostMortem
from responses.models import ActionItem, ProgressUpdate, Statement
from tests import factories

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def at(delta):
    return time_machine.travel(T0 + delta, tick=False)


@pytest.fixture
def story(comms, manager):
    """Severity 2 (1 h to acknowledge): declared at 9:00, acknowledged at 9:40; a public update
    at 10:00 promises 11:00 and the next one comes at 11:30 (broken), promising 13:00; resolved
    at 12:00 (that promise ended). Items: one done on time, one done late, one dropped, one
    Prevent item open. Parties: one contacted, one not."""
    factories.default_targets()
    with at(0 * MIN):
        incident = factories.make_incident(comms, status=Incident.Status.RESPONDING)
        on_time = factories.make_action_item(incident, title="Pause ads", due_at=T0 + HOUR)
        late = factories.make_action_item(incident, title="Refund", due_at=T0 + HOUR)
        dropped = factories.make_action_item(incident, title="Call everyone", due_at=T0 + HOUR)
        factories.make_action_item(
            incident, title="Carrier check", kind=ActionItem.Kind.PREVENT, owner=manager
        )
        factories.make_party(incident, description="Customers in the north")
        factories.make_party(
            incident,
            description="Logistics partner",
            kind=AffectedParty.Kind.PARTNERS,
            estimated_count=None,
            impact="",
        )
    with at(40 * MIN):
        factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
        on_time.complete(by=comms)
    with at(HOUR):
        factories.make_update(
            incident,
            kind=ProgressUpdate.Kind.PUBLIC,
            status=ProgressUpdate.Status.PUBLISHED,
            next_update_at=T0 + 2 * HOUR,
        )
    with at(2 * HOUR):
        party = AffectedParty.objects.get(description="Customers in the north")
        party.outreach_status = AffectedParty.Outreach.CONTACTED
        party.outreach_at = T0 + 2 * HOUR
        party.save_edit(by=comms, expected_version=1, fields=["outreach_status", "outreach_at"])
    with at(150 * MIN):
        factories.make_update(
            incident,
            kind=ProgressUpdate.Kind.PUBLIC,
            status=ProgressUpdate.Status.PUBLISHED,
            next_update_at=T0 + 4 * HOUR,
        )
        late.complete(by=comms)
        dropped.drop(by=comms, reason="Mail was enough")
    with at(3 * HOUR):
        incident.resolve(by=comms)
    return factories.reload(incident)


def facts_by_label(incident):
    return {fact.label: fact for fact in panels.facts_for(incident)}


def test_the_key_moments_are_in_order_with_their_times(story):
    moments = [(f.label, f.at) for f in panels.facts_for(story) if f.section == "moments"]

    assert moments == [
        ("First signal detected", T0),
        ("Declared", T0),
        ("Start responding", T0),
        ("First public acknowledgement", T0 + 40 * MIN),
        ("Holding statement published", T0 + 40 * MIN),
        ("Public update published", T0 + HOUR),
        ("Public update published", T0 + 150 * MIN),
        ("Mark resolved", T0 + 3 * HOUR),
    ]


def test_the_figures_come_from_the_clocks(story):
    facts = facts_by_label(story)

    assert facts["Detection to first public acknowledgement"].value == (
        "40 min (within the target of 1 h)"
    )
    assert facts["Detection to first public acknowledgement"].field == "went_well"
    assert facts["Detection to resolution"].value == "3 h"
    assert facts["Public update promises"].value == (
        "2 made, 0 of 1 kept (1 not yet due or ended by the resolution)"
    )
    assert facts["Promise broken"].field == "went_wrong"


def test_the_plan_says_what_was_done_on_time_late_and_dropped(story):
    facts = facts_by_label(story)

    assert facts["Action items"].value == (
        "4 items: 1 done on time, 1 done late, 1 dropped, 1 not finished"
    )
    assert facts["Done late: Refund"].value == "1 h 30 min after its due time"
    assert facts["Dropped: Call everyone"].value == "Mail was enough"
    assert facts["Done on time"].value == "1 of 4 items"
    assert facts["Dropped: Call everyone"].field == "went_wrong"
    assert facts["Prevent: Carrier check"].field == "follow_up"
    assert facts["Prevent: Carrier check"].value == "open, owner Manager Tester"


def test_the_parties_are_grouped_by_outreach(story):
    facts = facts_by_label(story)

    assert facts["Contacted"].value == "Customers in the north"
    assert facts["Not contacted"].value == "Logistics partner"


def test_the_fields_start_from_the_facts_that_name_them(story):
    text = PostMortem(incident=story).starting_text(panels.facts_for(story))

    assert text["summary"] == story.summary
    assert text["went_well"].splitlines() == [
        "- Detection to first public acknowledgement: 40 min (within the target of 1 h)",
        "- Done on time: 1 of 4 items",
    ]
    assert "- Done late: Refund: 1 h 30 min after its due time" in text["went_wrong"]
    assert text["impact"].splitlines()[0] == (
        "- Customers (about 1,200): Customers in the north · Orders three days late. · "
        "outreach: contacted"
    )
    assert text["follow_up"] == "- Prevent: Carrier check: open, owner Manager Tester"
    assert "root_cause" not in text and "lessons_learned" not in text


def test_a_new_provider_adds_its_facts(story, monkeypatch):
    def mention_volume(incident):
        return [panels.Fact("mentions", "Mentions", "1,234 in 3 h")]

    monkeypatch.setattr(panels, "postmortem_facts", [*panels.postmortem_facts])
    panels.register(panels.postmortem_facts, mention_volume, order=50)

    assert facts_by_label(story)["Mentions"].value == "1,234 in 3 h"


def test_the_mentions_say_how_loud_the_conversation_was(story):
    for n, label in enumerate(["negative", "negative", "neutral", "positive", "negative"]):
        factories.make_mention(story, sentiment_label=label, posted_at=T0 + n * 10 * MIN)
    factories.make_mention(None, sentiment_label="negative")  # in the inbox: not this incident's

    facts = facts_by_label(story)

    assert facts["Mentions linked"].value == "5 (3 negative, 1 neutral, 1 positive)"
    assert facts["Mentions linked"].field == "impact"
    assert facts["Conversation"].value == "from 14 Mar 2026, 09:00 UTC to 14 Mar 2026, 09:40 UTC"
    assert (
        "- Mentions linked: 5 (3 negative, 1 neutral, 1 positive)"
        in PostMortem(incident=story).starting_text(panels.facts_for(story))["impact"]
    )


def test_without_mentions_nothing_is_said_of_them(story):
    assert "Mentions linked" not in facts_by_label(story)
