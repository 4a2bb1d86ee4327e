"""Each person's time zone (crisis.time_zones): chosen on the Account page, every time shown and
typed in it and labelled with it; the company's zone for everyone else."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis.models import Profile
from incidents.models import Incident
from tests import factories

DETECTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def choose(client, zone):
    """Choose ``zone`` and read the page it leads to (which shows the message)."""
    return client.post(reverse("account-time-zone"), {"time_zone": zone}, follow=True)


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_every_role_chooses_their_zone_and_reads_times_in_it(request, client_as, comms, role):
    person = request.getfixturevalue(role)
    incident = factories.make_incident(comms, detected_at=DETECTED)
    client = client_as(person)

    response = choose(client, "Europe/Paris")

    assert response.redirect_chain == [(reverse("account"), 302)]
    assert "Times are now shown in Europe/Paris." in factories.page_text(response)
    assert Profile.objects.get(user=person).time_zone == "Europe/Paris"
    html = factories.page_text(client.get(incident.get_absolute_url()))
    assert "14 Mar 2026, 10:00 CET" in html
    assert "14 Mar 2026, 09:00 UTC" not in html


def test_others_keep_the_company_zone(client_as, comms, viewer):
    incident = factories.make_incident(comms, detected_at=DETECTED)
    choose(client_as(comms), "Asia/Tokyo")

    html = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    assert "14 Mar 2026, 09:00 UTC" in html


def test_a_typed_time_is_read_in_the_person_s_zone_and_the_field_says_so(client_as, comms):
    client = client_as(comms)
    choose(client, "America/New_York")

    form = factories.page_text(client.get(reverse("incidents:create")))
    assert "Times are in America/New_York." in form

    fields = factories.form_values(client.get(reverse("incidents:create")), "detected_at")
    fields.update(
        title="Parcel lockers refuse codes",
        category=Incident.Category.SERVICE_FAILURE,
        severity=Incident.Severity.MAJOR,
        platforms=["x"],
        detected_at="2026-03-14T05:00",
    )
    response = client.post(reverse("incidents:create"), fields)

    assert response.status_code == 302, factories.page_text(response)[:2000]
    incident = Incident.objects.get(title="Parcel lockers refuse codes")
    # 05:00 in New York on 14 March 2026 (daylight saving time, UTC-4) is 09:00 UTC.
    assert incident.detected_at == DETECTED


def test_an_unknown_zone_is_refused_by_the_field_and_nothing_changes(client_as, comms):
    client = client_as(comms)
    choose(client, "Europe/Paris")

    response = choose(client, "Mars/Olympus_Mons")

    assert (response.status_code, response.redirect_chain) == (200, [])
    html = factories.page_text(response)
    assert "Select a valid choice. Mars/Olympus_Mons is not one of the available choices." in html
    assert Profile.objects.get(user=comms).time_zone == "Europe/Paris"


def test_the_model_refuses_an_unknown_zone_too(comms):
    profile = Profile(user=comms, time_zone="Atlantis/Capital")

    with pytest.raises(ValidationError) as refused:
        profile.full_clean()

    assert "not a time zone we know" in refused.value.message_dict["time_zone"][0]


def test_choosing_the_company_s_zone_again_clears_the_choice(client_as, comms, settings):
    client = client_as(comms)
    choose(client, "Europe/Paris")

    choose(client, "")

    assert Profile.objects.get(user=comms).time_zone == ""
    page = factories.page_text(client.get(reverse("account")))
    assert f'data-testid="zone">{settings.TIME_ZONE}<' in page


def test_the_chosen_zone_costs_no_query(client_as, comms):
    factories.make_incident(comms)
    choose(client_as(comms), "Europe/Paris")
    other = factories.make_comms("comms-without-a-choice")

    def queries(user):
        client = client_as(user)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("incidents:dashboard"))
        return len(captured)

    assert queries(comms) == queries(other)
