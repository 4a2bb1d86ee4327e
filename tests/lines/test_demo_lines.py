"""The demo desk has a library of lines: approved ones offered for its incidents, one past its
review date, one waiting for a manager; seeding again adds none."""

from io import StringIO

import pytest
from django.core.management import call_command

from incidents.models import Incident
from lines.models import ApprovedLine

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    return out.getvalue()


def test_the_demo_has_lines_for_its_incidents_owned_by_its_people():
    output = seed()

    lines = list(ApprovedLine.objects.select_related("owner", "approved_by"))
    assert "Approved lines: 6 new." in output
    assert {line.owner.username for line in lines} == {"comms", "manager"}
    assert [line.is_approved for line in lines].count(False) == 1
    assert sum(line.is_past_review() for line in lines) == 1
    for line in lines:
        assert line.approved_by is None or line.approved_by.pk not in (
            line.owner_id,
            line.worded_by_id,
        )
    categories = set(Incident.objects.values_list("category", flat=True))
    offered = {c for c in categories if ApprovedLine.objects.offered_for(c).exists()}
    assert offered == categories


def test_seeding_again_adds_no_line():
    seed()

    output = seed()

    assert ApprovedLine.objects.count() == 6
    assert "Approved lines: 0 new." in output
