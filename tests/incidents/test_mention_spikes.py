"""The spike rule (crisis.clocks): the last hour against the median of the same hour on the past
7 days, with a minimum volume; the thresholds from the admin site; the lead's mail."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from crisis import clocks
from incidents.models import Incident, Mention, SpikeThreshold
from responses import reminders
from tests import factories

NOW = datetime(2026, 3, 14, 14, 30, tzinfo=UTC)


def add(count, *, hours_ago=0, days_ago=0, incident=None, minute=10):
    """``count`` mentions posted ``days_ago`` days and ``hours_ago`` hours before NOW, within the
    hour before that moment."""
    at = NOW - timedelta(days=days_ago, hours=hours_ago, minutes=minute)
    start = Mention.objects.count()
    Mention.objects.bulk_create(
        Mention(
            platform="x",
            external_id=f"m{start + n}",
            posted_at=at,
            sentiment_label="neutral",
            source="test",
            incident=incident,
        )
        for n in range(count)
    )


def usual_week(incident=None, per_day=(10, 12, 8, 10, 30, 9, 11)):
    for day, count in enumerate(per_day, start=1):
        add(count, days_ago=day, incident=incident)


RULE = clocks.SpikeRule(multiple=3, minimum=50)


@pytest.mark.parametrize(
    ("count", "usual", "expected"),
    [
        (50, 10, True),  # the minimum, and 5 times the usual
        (49, 1, False),  # below the minimum however quiet the usual
        (60, 20, False),  # exactly 3 times is not more than 3 times
        (61, 20, True),
        (50, 0, True),  # out of silence
    ],
)
def test_the_rule(count, usual, expected):
    assert clocks.is_spike(count, usual, RULE) is expected


@pytest.mark.django_db
def test_an_incident_spikes_against_the_median_of_the_same_hour(comms):
    incident = factories.make_incident(comms)
    quiet = factories.make_incident(comms, title="Quiet")
    usual_week(incident)  # median 10, whatever the one loud day (30)
    add(31, incident=incident)
    add(20, incident=incident, minute=20)
    # Outside the windows: earlier today, and an hour off yesterday's window.
    add(500, hours_ago=3, incident=incident)
    add(500, days_ago=1, hours_ago=2, incident=incident)
    add(3, incident=quiet)

    volumes = clocks.incident_volumes([incident.pk, quiet.pk], NOW, RULE)

    volume = volumes[incident.pk]
    assert (volume.count, volume.usual, volume.is_spike) == (51, 10.0, True)
    assert volume.daily == (10, 12, 8, 10, 30, 9, 11)
    assert volume.hour == datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
    assert (volumes[quiet.pk].count, volumes[quiet.pk].is_spike) == (3, False)


@pytest.mark.django_db
def test_the_window_is_the_last_hour_up_to_now(comms):
    incident = factories.make_incident(comms)
    add(50, incident=incident, minute=61)  # 61 minutes ago: outside

    with time_machine.travel(NOW, tick=False):
        assert clocks.incident_volumes([incident.pk]) == {
            incident.pk: clocks.Volume(0, 0.0, (0,) * 7, False, NOW - timedelta(hours=1), NOW)
        }


@pytest.mark.django_db
def test_the_inbox_spikes_on_its_own(comms):
    incident = factories.make_incident(comms)
    usual_week()
    add(40)
    add(200, incident=incident)

    assert not clocks.inbox_volume(NOW, RULE).is_spike
    add(10)
    volume = clocks.inbox_volume(NOW, RULE)
    assert (volume.count, volume.is_spike) == (50, True)


@pytest.mark.django_db
def test_the_thresholds_come_from_the_admin_site(client, admin, comms):
    incident = factories.make_incident(comms)
    add(20, incident=incident)
    assert clocks.spike_rule() == clocks.SpikeRule(3.0, 50)
    assert not clocks.incident_volumes([incident.pk], NOW)[incident.pk].is_spike

    client.force_login(admin)
    client.post(
        reverse("admin:incidents_spikethreshold_add"), {"multiple": "2.5", "minimum_volume": "20"}
    )

    assert clocks.spike_rule() == clocks.SpikeRule(2.5, 20)
    assert clocks.incident_volumes([incident.pk], NOW)[incident.pk].is_spike
    response = client.post(
        reverse("admin:incidents_spikethreshold_change", args=[1]),
        {"multiple": "0", "minimum_volume": "20"},
    )
    assert "must be more than 0" in response.content.decode()
    assert SpikeThreshold.objects.get().multiple == 2.5


@pytest.mark.django_db
def test_the_volumes_cost_one_query_however_many_incidents(comms, django_assert_num_queries):
    incidents = [factories.make_incident(comms, title=f"I{n}") for n in range(5)]
    for incident in incidents:
        add(5, incident=incident)

    with django_assert_num_queries(1):
        clocks.incident_volumes([i.pk for i in incidents], NOW, RULE)
    with django_assert_num_queries(1):
        clocks.inbox_volume(NOW, RULE)
    with django_assert_num_queries(2):
        clocks.incident_volumes([i.pk for i in incidents[:1]], NOW)


@pytest.mark.django_db
def test_the_lead_is_mailed_once_per_spike_hour():
    lead = factories.make_comms("lena", email="lena@example.com")
    incident = factories.make_incident(lead, lead=lead, detected_at=NOW - timedelta(days=1))
    factories.make_incident(lead, title="Resolved", status=Incident.Status.RESOLVED, lead=lead)
    factories.make_update(incident, kind="public")  # no deadline reminders in the way
    usual_week(incident)
    add(60, incident=incident)

    with time_machine.travel(NOW, tick=False):
        spikes = [r for r in reminders.due_reminders() if r.key.startswith("spike")]
        call_command("send_reminders", stdout=None)
        call_command("send_reminders", stdout=None)
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        call_command("send_reminders", stdout=None)

    assert len(spikes) == 1
    spike_mails = [m for m in mail.outbox if "Mention spike" in m.subject]
    assert len(spike_mails) == 1
    message = spike_mails[0]
    assert message.to == ["lena@example.com"]
    assert message.subject == f"[{incident.reference}] Mention spike: 60 in the last hour"
    assert "against 10 usually at this hour" in message.body

    # Still spiking in the next clock hour: told again, once.
    add(60, incident=incident, minute=-30)
    with time_machine.travel(NOW + timedelta(minutes=40), tick=False):
        call_command("send_reminders", stdout=None)
        call_command("send_reminders", stdout=None)
    assert len([m for m in mail.outbox if "Mention spike" in m.subject]) == 2


@pytest.mark.django_db
def test_no_mail_without_a_spike_or_for_a_resolved_incident():
    lead = factories.make_comms("lena", email="lena@example.com")
    resolved = factories.make_incident(lead, lead=lead, status=Incident.Status.RESOLVED)
    quiet = factories.make_incident(lead, lead=lead, title="Quiet")
    add(100, incident=resolved)
    add(49, incident=quiet)

    with time_machine.travel(NOW, tick=False):
        assert [r for r in reminders.due_reminders() if r.key.startswith("spike")] == []


@pytest.mark.django_db
def test_the_volumes_of_many_incidents_are_read_in_chunks_with_the_same_counts(
    comms, monkeypatch, django_assert_num_queries
):
    # Each compared hour repeats the ids in its arm of the UNION: many open incidents are read
    # VOLUME_CHUNK at a time, so no query exceeds the database's parameter limit.
    monkeypatch.setattr(clocks, "VOLUME_CHUNK", 2)
    incidents = [factories.make_incident(comms, title=f"I{n}") for n in range(5)]
    for n, incident in enumerate(incidents):
        add(n + 1, incident=incident)
        add(10 * (n + 1), days_ago=3, incident=incident)

    with django_assert_num_queries(3):
        volumes = clocks.incident_volumes([i.pk for i in incidents], NOW, RULE)

    assert [volumes[i.pk].count for i in incidents] == [1, 2, 3, 4, 5]
    assert [volumes[i.pk].daily[2] for i in incidents] == [10, 20, 30, 40, 50]


@pytest.mark.django_db
def test_the_open_incidents_volumes_read_only_those_loud_enough_to_spike(
    comms, django_assert_num_queries
):
    loud = factories.make_incident(comms, title="Loud")
    usual_week(loud)
    add(51, incident=loud)
    # Loud enough to pass the minimum, but not against its usual hour: read, and no spike.
    busy_every_day = factories.make_incident(comms, title="Busy every day")
    usual_week(busy_every_day, per_day=(60,) * 7)
    add(60, incident=busy_every_day)
    # Too quiet to spike however quiet its past: left out.
    quiet = factories.make_incident(comms, title="Quiet")
    add(49, incident=quiet)
    # Not among the incidents asked about.
    ended = factories.make_incident(comms, title="Ended", status=Incident.Status.RESOLVED)
    add(500, incident=ended)

    with django_assert_num_queries(2):  # the last hour of each, the past days of the loud
        volumes = clocks.volumes_of(Incident.objects.open(), NOW, RULE)

    assert set(volumes) == {loud.pk, busy_every_day.pk}
    assert volumes[loud.pk] == clocks.incident_volumes([loud.pk], NOW, RULE)[loud.pk]
    assert volumes[loud.pk].is_spike
    assert not volumes[busy_every_day.pk].is_spike


@pytest.mark.django_db
def test_the_dashboard_reads_the_spikes_in_the_same_queries_however_many_are_open(
    client_as, viewer, comms, django_assert_max_num_queries
):
    loud = factories.make_incident(comms, title="Loud")
    add(50, incident=loud)
    client = client_as(viewer)
    url = reverse("incidents:dashboard-spikes")

    asked = []
    for more in (0, 30):
        for n in range(more):
            add(1, incident=factories.make_incident(comms, title=f"Also open {n}"))
        with time_machine.travel(NOW, tick=False):
            client.get(url)  # the session is renewed once after a jump in time; not counted
            with django_assert_max_num_queries(9) as queries:
                response = client.get(url)
        asked.append(len(queries))
        assert "Loud" in factories.page_text(response)

    assert asked[0] == asked[1]
