"""What a person does with mentions (the inbox's and the incident page's actions call these):
link, unlink, dismiss, restore, and link the inbox's matches of an incident's terms."""

import pytest

from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from monitoring.mentions import (
    dismiss_mentions,
    inbox_matches,
    link_matching,
    link_mentions,
    restore_mentions,
    unlink_mentions,
)
from monitoring.models import Mention, MentionLinkEvent
from tests import factories

A = MentionLinkEvent.Action


def events():
    return list(
        MentionLinkEvent.objects.order_by("pk").values_list("mention_id", "incident_id", "action")
    )


@pytest.mark.django_db
def test_linking_moves_mentions_out_of_the_inbox_and_records_who(comms, incident):
    first = factories.make_mention()
    second = factories.make_mention()

    assert link_mentions([first.pk, second.pk], incident, by=comms) == 2

    assert set(incident.mentions.all()) == {first, second}
    assert not Mention.objects.inbox().exists()
    assert factories.reload(first).linked_by == comms
    assert events() == [(first.pk, incident.pk, A.LINKED), (second.pk, incident.pk, A.LINKED)]
    assert set(MentionLinkEvent.objects.values_list("by", flat=True)) == {comms.pk}


@pytest.mark.django_db
def test_linking_twice_records_nothing_new(comms, incident):
    mention = factories.make_mention()
    link_mentions([mention.pk], incident, by=comms)

    assert link_mentions([mention.pk], incident, by=comms) == 0
    assert len(events()) == 1


@pytest.mark.django_db
def test_a_frozen_incident_takes_no_mentions_and_keeps_its_own(comms, manager):
    closed = factories.make_incident(comms, status=Incident.Status.CANCELLED)
    kept = factories.make_mention(closed)
    other = factories.make_incident(comms, title="Other")
    inbox = factories.make_mention()

    with pytest.raises(TransitionRefused, match="frozen"):
        link_mentions([inbox.pk], closed, by=manager)
    assert link_mentions([kept.pk], other, by=manager) == 0
    assert unlink_mentions([kept.pk], by=manager) == 0
    assert factories.reload(kept).incident == closed
    assert events() == []


@pytest.mark.django_db
def test_unlinking_sends_mentions_back_to_the_inbox(comms, incident):
    mention = factories.make_mention(incident)

    assert unlink_mentions([mention.pk], by=comms) == 1

    mention = factories.reload(mention)
    assert mention.is_in_inbox and mention.linked_at is None
    assert events() == [(mention.pk, incident.pk, A.UNLINKED)]


@pytest.mark.django_db
def test_dismissing_takes_only_inbox_mentions_and_restoring_brings_them_back(comms, incident):
    waiting = factories.make_mention()
    linked = factories.make_mention(incident)

    assert dismiss_mentions([waiting.pk, linked.pk], by=comms) == 1
    assert factories.reload(waiting).dismissed_by == comms
    assert not Mention.objects.inbox().exists()
    assert factories.reload(linked).dismissed_at is None

    assert restore_mentions([waiting.pk], by=comms) == 1
    assert list(Mention.objects.inbox()) == [waiting]
    assert events() == [(waiting.pk, None, A.DISMISSED), (waiting.pk, None, A.RESTORED)]


@pytest.mark.django_db
def test_linking_a_dismissed_mention_clears_the_dismissal(comms, incident):
    mention = factories.make_mention()
    dismiss_mentions([mention.pk], by=comms)

    link_mentions([mention.pk], incident, by=comms)

    assert factories.reload(mention).dismissed_at is None


@pytest.mark.django_db
def test_new_terms_find_and_link_the_inboxs_matches(comms):
    incident = factories.make_incident(comms, tracking_terms="outage")
    match = factories.make_mention(text="The Acme Bank app is down")
    also = factories.make_mention(text="#AcmeBank again")
    factories.make_mention(text="Acme banking is fine")
    dismissed = factories.make_mention(text="acme bank")
    dismiss_mentions([dismissed.pk], by=comms)
    incident.tracking_terms = "outage, acme bank, #acmebank"

    assert set(inbox_matches(incident)) == {match.pk, also.pk}
    assert link_matching(incident, by=comms) == 2
    assert set(incident.mentions.all()) == {match, also}
    assert inbox_matches(incident) == []


@pytest.mark.django_db
def test_inbox_matches_read_the_inbox_in_one_query(comms, django_assert_num_queries):
    incident = factories.make_incident(comms, tracking_terms="parcel")
    for _ in range(30):
        factories.make_mention()

    with django_assert_num_queries(1):
        assert len(inbox_matches(incident)) == 30
