"""The response targets admins keep (responses.models.response_target), as the clocks read them:
every severity's row, the settings for a missing one, in one query, and on every incident listed
with its clocks."""

from datetime import timedelta

import pytest

from crisis import clocks
from incidents.models import Incident
from tests import factories

MIN = timedelta(minutes=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("severity", "target", "cadence"),
    [(1, 30 * MIN, 60 * MIN), (2, 60 * MIN, 120 * MIN), (3, 4 * 60 * MIN, 8 * 60 * MIN)]
    + [(4, 24 * 60 * MIN, 24 * 60 * MIN)],
)
def test_the_default_targets_follow_the_severity(severity, target, cadence):
    factories.default_targets()
    assert clocks.acknowledgement_target(severity) == target
    assert clocks.update_cadence(severity) == cadence


@pytest.mark.django_db
def test_the_targets_come_from_the_rows_admins_keep():
    row = factories.default_targets()[1]
    row.acknowledgement_minutes, row.update_cadence_minutes = 15, 45
    row.save()

    assert clocks.acknowledgement_target(Incident.Severity.CRITICAL) == 15 * MIN
    assert clocks.update_cadence(Incident.Severity.CRITICAL) == 45 * MIN
    listed = Incident.objects.with_clocks().get(pk=factories.make_incident(severity=1).pk)
    assert clocks.targets_of(listed) == clocks.Targets(15 * MIN, 45 * MIN)


@pytest.mark.django_db
def test_a_severity_without_a_row_falls_back_to_the_settings(settings):
    settings.ACKNOWLEDGEMENT_TARGET_MINUTES = {1: 15, 2: 45, 3: 120, 4: 600}
    settings.UPDATE_CADENCE_MINUTES = {1: 20, 2: 90, 3: 180, 4: 700}
    factories.default_targets()[2].delete()

    assert clocks.acknowledgement_target(Incident.Severity.MAJOR) == 45 * MIN
    assert clocks.update_cadence(Incident.Severity.MAJOR) == 90 * MIN
    assert clocks.acknowledgement_target(Incident.Severity.CRITICAL) == 30 * MIN  # its row
    listed = Incident.objects.with_clocks().get(pk=factories.make_incident(severity=2).pk)
    assert clocks.acknowledgement_due_at(listed) == listed.detected_at + 45 * MIN


@pytest.mark.django_db
def test_all_targets_load_in_one_query_and_are_passed_in(django_assert_num_queries):
    with django_assert_num_queries(1):
        targets = clocks.response_targets()

    with django_assert_num_queries(0):
        assert clocks.acknowledgement_target(3, targets) == 4 * 60 * MIN
        assert clocks.update_cadence(3, targets) == 8 * 60 * MIN
