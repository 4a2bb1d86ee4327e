"""What README's "Try it" promises of the demo, checked on a freshly seeded desk: seven incidents
over the last five weeks, two past their first acknowledgement's target, the last day's mentions
with the fake giveaway spiking and 20 more in the inbox, an earlier incident closed with its
post-mortem, and the four users printed with their password the first time only."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from incidents.models import Incident
from monitoring.models import Mention

pytestmark = pytest.mark.usefixtures("playbooks")

SEEDED = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
# The product's default time to a first public acknowledgement, per severity (PRODUCT.md).
ACKNOWLEDGE_WITHIN = {1: timedelta(minutes=30), 2: timedelta(hours=1), 3: timedelta(hours=4)}


def seed(*args):
    out = StringIO()
    with time_machine.travel(SEEDED, tick=False):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_seeded_demo_is_the_desk_the_readme_describes(db):
    output = seed()

    incidents = list(Incident.objects.order_by("declared_at"))
    assert len(incidents) == 7
    oldest = SEEDED - incidents[0].declared_at
    assert timedelta(weeks=5) - timedelta(days=1) < oldest < timedelta(weeks=5, days=1)
    past_target = [
        i.title
        for i in incidents
        if i.is_open
        and i.first_acknowledged_at is None
        and SEEDED - i.detected_at > ACKNOWLEDGE_WITHIN[i.severity]
    ]
    assert len(past_target) == 2

    open_ids = {i.pk for i in incidents if i.is_open}
    last_day = Mention.objects.filter(posted_at__gte=SEEDED - timedelta(days=1))
    assert {m.incident_id for m in last_day.exclude(incident=None)} <= open_ids
    giveaway = Incident.objects.get(title="Fake giveaway account impersonating the brand")
    last_hour = giveaway.mentions.filter(posted_at__gte=SEEDED - timedelta(hours=1))
    assert last_hour.count() > 50  # the spike rule's minimum in the last hour
    assert Mention.objects.inbox().count() == 20

    closed = [i for i in incidents if i.status == Incident.Status.CLOSED]
    assert len(closed) == 1 and closed[0].postmortem.completed_at is not None

    for username in ("comms", "manager", "viewer", "admin"):
        assert f"  {username} " in output
    assert "password: " in output
    assert "password: " not in seed()  # run again: the passwords are kept
