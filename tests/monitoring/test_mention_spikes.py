"""The spike rule (monitoring.spikes): the last hour against the median of the same hour on the past
7 days, with a minimum volume, read from the mention counts per clock hour; the thresholds from
the admin site; the lead's mail."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from incidents.models import Incident
from monitoring import spikes
from monitoring.models import Mention, SpikeThreshold
from responses import reminders
from tests import factories

NOW = datetime(2026, 3, 14, 14, 30, tzinfo=UTC)


def add(count, *, hours_ago=0, days_ago=0, incident=None, minute=10, **fields):
    """``count`` mentions posted ``days_ago`` days and ``hours_ago`` hours before NOW, within the
    hour before that moment (with ``fields`` besides); returns them."""
    at = NOW - timedelta(days=days_ago, hours=hours_ago, minutes=minute)
    start = Mention.objects.count()
    stored = Mention.objects.bulk_create(
        Mention(
            platform="x",
            external_id=f"m{start + n}",
            posted_at=at,
            sentiment_label="neutral",
            source="test",
            incident=incident,
            **fields,
        )
        for n in range(count)
    )
    factories.count_stored(m.pk for m in stored)
    return stored


def usual_week(incident=None, per_day=(10, 12, 8, 10, 30, 9, 11)):
    """``per_day`` mentions an hour around this time of day on each past day: as many in the
    clock hour before NOW's (13:00) as in NOW's (14:00), so the rolling hour 13:30-14:30 read
    from the two counts holds exactly ``per_day``."""
    for day, count in enumerate(per_day, start=1):
        add(count, days_ago=day, incident=incident, minute=10)  # 14:20
        add(count, days_ago=day, incident=incident, minute=50)  # 13:40


RULE = spikes.SpikeRule(multiple=3, minimum=50)


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
    assert spikes.is_spike(count, usual, RULE) is expected


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

    volumes = spikes.incident_volumes([incident.pk, quiet.pk], NOW, RULE)

    volume = volumes[incident.pk]
    assert (volume.count, volume.usual, volume.is_spike) == (51, 10.0, True)
    assert volume.daily == (10, 12, 8, 10, 30, 9, 11)
    assert volume.hour == datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
    assert (volumes[quiet.pk].count, volumes[quiet.pk].is_spike) == (3, False)


@pytest.mark.django_db
def test_the_window_is_the_last_hour_up_to_now(comms):
    incident = factories.make_incident(comms)
    add(50, incident=incident, minute=91)  # 12:59, in a clock hour the last hour misses

    with time_machine.travel(NOW, tick=False):
        assert spikes.incident_volumes([incident.pk]) == {
            incident.pk: spikes.Volume(0, 0.0, (0,) * 7, False, NOW - timedelta(hours=1), NOW)
        }


@pytest.mark.django_db
def test_the_inbox_spikes_on_its_own(comms):
    incident = factories.make_incident(comms)
    usual_week()
    add(40)
    add(200, incident=incident)

    assert not spikes.inbox_volume(NOW, RULE).is_spike
    add(10)
    volume = spikes.inbox_volume(NOW, RULE)
    assert (volume.count, volume.is_spike) == (50, True)


@pytest.mark.django_db
def test_the_thresholds_come_from_the_admin_site(client, admin, comms):
    incident = factories.make_incident(comms)
    add(20, incident=incident)
    assert spikes.spike_rule() == spikes.SpikeRule(3.0, 50)
    assert not spikes.incident_volumes([incident.pk], NOW)[incident.pk].is_spike

    client.force_login(admin)
    client.post(
        reverse("admin:monitoring_spikethreshold_add"), {"multiple": "2.5", "minimum_volume": "20"}
    )

    assert spikes.spike_rule() == spikes.SpikeRule(2.5, 20)
    assert spikes.incident_volumes([incident.pk], NOW)[incident.pk].is_spike
    response = client.post(
        reverse("admin:monitoring_spikethreshold_change", args=[1]),
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
        spikes.incident_volumes([i.pk for i in incidents], NOW, RULE)
    with django_assert_num_queries(1):
        spikes.inbox_volume(NOW, RULE)
    with django_assert_num_queries(2):
        spikes.incident_volumes([i.pk for i in incidents[:1]], NOW)


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
    monkeypatch.setattr(spikes, "VOLUME_CHUNK", 2)
    incidents = [factories.make_incident(comms, title=f"I{n}") for n in range(5)]
    for n, incident in enumerate(incidents):
        add(n + 1, incident=incident)
        add(10 * (n + 1), days_ago=3, incident=incident)

    with django_assert_num_queries(3):
        volumes = spikes.incident_volumes([i.pk for i in incidents], NOW, RULE)

    assert [volumes[i.pk].count for i in incidents] == [1, 2, 3, 4, 5]
    # Three days ago's hour 13:30-14:30 takes half of 14:00's count.
    assert [volumes[i.pk].daily[2] for i in incidents] == [5, 10, 15, 20, 25]


@pytest.mark.django_db
def test_the_last_hour_takes_the_share_of_the_clock_hour_before_it_still_within(comms):
    # At 14:30 the last hour holds all of 14:00's count and half of 13:00's, as if 13:00's
    # mentions were spread over it; a spike does not vanish when the clock hour turns.
    incident = factories.make_incident(comms)
    add(40, incident=incident, minute=70)  # 13:20
    add(40, incident=incident, minute=40)  # 13:50
    add(20, incident=incident)  # 14:20
    add(30, days_ago=1, incident=incident, minute=10)  # yesterday 14:20
    add(60, days_ago=1, incident=incident, minute=50)  # yesterday 13:40

    volume = spikes.incident_volumes([incident.pk], NOW, RULE)[incident.pk]
    assert (volume.count, volume.daily[0]) == (20 + 40, 15 + 30)

    at_the_turn = NOW.replace(minute=0) + timedelta(hours=1)
    volume = spikes.incident_volumes([incident.pk], at_the_turn, RULE)[incident.pk]
    assert (volume.count, volume.daily[0]) == (20, 30)  # exactly 14:00-15:00


@pytest.mark.django_db
def test_spiking_reads_only_the_loud_conversations_in_one_query(comms, django_assert_num_queries):
    loud, quiet, closed = (factories.make_incident(comms, title=t) for t in ("L", "Q", "C"))
    add(60, incident=loud)
    add(49, incident=quiet)
    add(60)  # the inbox
    add(60, incident=closed)
    open_ones = Incident.objects.exclude(pk=closed.pk)

    with django_assert_num_queries(1):
        found = spikes.spiking(open_ones, now=NOW, rule=RULE)

    assert {pk: v.count for pk, v in found.items()} == {loud.pk: 60, None: 60}
    assert spikes.spiking(open_ones, inbox=False, now=NOW, rule=RULE).keys() == {loud.pk}
    usual_week(loud, per_day=(20,) * 7)  # 60 is not more than 3 x 20
    assert spikes.spiking(open_ones, inbox=False, now=NOW, rule=RULE) == {}


@pytest.mark.django_db
def test_the_dashboard_reads_the_spikes_in_the_same_queries_however_many_are_open(
    client_as, viewer, comms, django_assert_max_num_queries
):
    loud = factories.make_incident(comms, title="Loud")
    add(50, incident=loud)
    client = client_as(viewer)
    url = reverse("monitoring:dashboard-spikes")

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
