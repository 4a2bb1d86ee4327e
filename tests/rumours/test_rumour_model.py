"""The rules of a rumour: its sightings and its response belong to its incident, it freezes with
its incident, what it fills in from its mentions, and when it reaches the public page."""

from datetime import UTC, datetime

import pytest

from crisis.lifecycle import FrozenRecord, StaleEdit, TransitionRefused
from responses.models import Statement
from rumours.models import Rumour
from tests import factories

pytestmark = pytest.mark.django_db

V = Rumour.Verification


def at(hour):
    return datetime(2026, 3, 14, hour, 0, tzinfo=UTC)


def edit(rumour, by, mentions=None, **changes):
    for name, value in changes.items():
        setattr(rumour, name, value)
    if mentions is None:
        mentions = list(rumour.mentions.all())
    return rumour.save_changes(
        by=by, expected_version=rumour.version, fields=list(changes), mentions=mentions
    )


def test_logging_a_rumour_keeps_who_and_fills_first_seen_and_reach_from_its_mentions(
    comms, incident
):
    early = factories.make_mention(incident, posted_at=at(9), reach=1500)
    late = factories.make_mention(incident, posted_at=at(11), reach=250)

    rumour = factories.make_rumour(incident, comms, mentions=[late, early])

    rumour.refresh_from_db()
    assert rumour.first_seen_at == at(9)
    assert rumour.reach == 1750
    assert set(rumour.mentions.all()) == {early, late}
    assert (rumour.created_by, rumour.verification) == (comms, V.UNVERIFIED)
    newest = rumour.history.first()
    assert (newest.history_user, newest.history_change_reason) == (comms, "Logged")


def test_what_is_given_wins_over_the_mentions(comms, incident):
    mention = factories.make_mention(incident, posted_at=at(9), reach=1500)

    rumour = factories.make_rumour(
        incident, comms, mentions=[mention], first_seen_at=at(7), reach=40
    )

    assert (rumour.first_seen_at, rumour.reach) == (at(7), 40)


def test_without_mentions_it_was_first_seen_when_logged_with_no_reach(comms, incident):
    rumour = factories.make_rumour(incident, comms)

    assert rumour.first_seen_at == rumour.created_at
    assert rumour.reach == 0


def test_it_refuses_a_mention_of_another_incident(comms, incident):
    other = factories.make_incident(comms, title="Another one")
    stranger = factories.make_mention(other)
    inbox = factories.make_mention()

    for mentions in ([stranger], [inbox]):
        with pytest.raises(TransitionRefused, match="Only mentions of this incident"):
            factories.make_rumour(incident, comms, mentions=mentions)
    assert not Rumour.objects.exists()


def test_an_edit_refuses_a_mention_of_another_incident_and_keeps_the_links(comms, incident):
    own = factories.make_mention(incident)
    stranger = factories.make_mention(factories.make_incident(comms, title="Another one"))
    rumour = factories.make_rumour(incident, comms, mentions=[own])

    with pytest.raises(TransitionRefused, match="Only mentions of this incident"):
        edit(rumour, comms, mentions=[own, stranger])

    assert list(factories.reload(rumour).mentions.all()) == [own]
    assert factories.reload(rumour).version == 1


def test_it_refuses_a_statement_of_another_incident_as_its_response(comms, incident):
    other = factories.make_incident(comms, title="Another one")
    elsewhere = factories.make_statement(other, comms)

    with pytest.raises(TransitionRefused, match="Only a statement of this incident"):
        factories.make_rumour(incident, comms, response=elsewhere)

    rumour = factories.make_rumour(incident, comms)
    with pytest.raises(TransitionRefused, match="Only a statement of this incident"):
        edit(rumour, comms, response=elsewhere)
    assert factories.reload(rumour).response is None


def test_its_own_incidents_statement_may_answer_it(comms, incident):
    statement = factories.make_statement(incident, comms)

    rumour = factories.make_rumour(incident, comms, response=statement)

    assert factories.reload(rumour).response == statement


def test_a_rumour_of_a_closed_incident_cannot_be_edited_or_logged(comms, incident):
    rumour = factories.make_rumour(incident, comms)
    factories.walk_to(incident, "closed")

    with pytest.raises(FrozenRecord):
        edit(factories.reload(rumour), comms, claim="Changed after closing")
    with pytest.raises(FrozenRecord):
        factories.make_rumour(factories.reload(incident), comms, claim="Logged after closing")

    assert factories.reload(rumour).claim == "Card numbers leaked during the outage"
    assert Rumour.objects.count() == 1


def test_a_viewer_may_not_log_or_edit(viewer, comms, incident):
    with pytest.raises(TransitionRefused, match="Only Comms and managers"):
        factories.make_rumour(incident, viewer)
    rumour = factories.make_rumour(incident, comms)
    with pytest.raises(TransitionRefused, match="Only Comms and managers"):
        edit(rumour, viewer, claim="Not mine to change")


def test_finding_it_false_records_who_checked_and_when(comms, manager, incident):
    rumour = factories.make_rumour(incident, comms)

    edit(rumour, manager, verification=V.FALSE, correction="No card data was stored.")

    rumour.refresh_from_db()
    assert rumour.verified_by == manager and rumour.verified_at is not None
    assert rumour.version == 2
    assert rumour.history.first().history_change_reason == "Edited; Checked: false"


def test_an_edit_on_a_stale_version_is_refused(comms, manager, incident):
    rumour = factories.make_rumour(incident, comms)
    first = factories.reload(rumour)
    edit(rumour, manager, claim="Reworded by the manager")

    with pytest.raises(StaleEdit):
        edit(first, comms, claim="Reworded by comms")

    assert factories.reload(rumour).claim == "Reworded by the manager"


def test_relinking_its_mentions_is_kept_in_its_history(comms, incident):
    one = factories.make_mention(incident, reach=10)
    two = factories.make_mention(incident, reach=20)
    rumour = factories.make_rumour(incident, comms, mentions=[one])

    edit(rumour, comms, mentions=[one, two], reach=None)

    rumour.refresh_from_db()
    assert set(rumour.mentions.all()) == {one, two}
    assert rumour.reach == 30
    assert "Seen in 2 mentions" in rumour.history.first().history_change_reason


# When a rumour reaches the public page: one method decides.


def public_rumour(incident, comms, *, status=Statement.Status.PUBLISHED, **overrides):
    statement = factories.make_statement(
        incident, comms, status=status, kind=Statement.Kind.CORRECTION
    )
    fields = {
        "verification": V.FALSE,
        "correction": "No card data was stored.",
        "response": statement,
        "is_public": True,
    }
    fields.update(overrides)
    return Rumour.objects.select_related("response").get(
        pk=factories.make_rumour(incident, comms, **fields).pk
    )


def test_a_false_rumour_chosen_for_the_page_shows_once_its_statement_is_published(comms, incident):
    assert public_rumour(incident, comms).public_refusal() == ""
    assert public_rumour(incident, comms, verification=V.PARTLY_TRUE).is_shown_publicly


@pytest.mark.parametrize(
    "overrides, refusal",
    [
        ({"status": Statement.Status.APPROVED}, "once its response statement is published"),
        ({"status": Statement.Status.DRAFT}, "once its response statement is published"),
        ({"is_public": False}, "Not chosen for the public page"),
        ({"verification": V.TRUE}, "found false or partly true"),
        ({"verification": V.UNVERIFIED}, "found false or partly true"),
        ({"correction": "  "}, "Write the correction first"),
        ({"response": None}, "Link the statement"),
    ],
)
def test_it_stays_off_the_page_otherwise(overrides, refusal, comms, incident):
    rumour = public_rumour(incident, comms, **overrides)

    assert refusal in rumour.public_refusal()
    assert not rumour.is_shown_publicly
    # The public page's query never narrows in what the method refuses.
    candidates = Rumour.objects.public_candidates().select_related("response")
    assert [r for r in candidates if r.is_shown_publicly] == []


def test_riskiest_first_puts_high_risk_and_wide_reach_first(comms, incident):
    low = factories.make_rumour(incident, comms, claim="low", risk="low", reach=9000)
    wide = factories.make_rumour(incident, comms, claim="wide", risk="high", reach=900)
    narrow = factories.make_rumour(incident, comms, claim="narrow", risk="high", reach=10)
    medium = factories.make_rumour(incident, comms, claim="medium", risk="medium", reach=1)

    assert list(Rumour.objects.riskiest_first()) == [wide, narrow, medium, low]
