"""A date or a time at the calendar's edge (1 Jan 0001, 31 Dec 9999) is refused by its field
with a message, in every filter and form, instead of failing the request: the local day's
bounds turned into UTC, or the day after the last, do not exist (crisis.fields.within_calendar)."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crisis.fields import OUT_OF_CALENDAR, within_calendar
from tests import factories

# Samoa's islands: a desk whose wall clock runs 11 hours behind UTC today, and ran 12h37 ahead
# of it before 1892, so both ends of the calendar leave Python's range once turned into UTC.
EDGE_ZONE = "Pacific/Pago_Pago"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (date(1, 1, 1), False),
        (date(1, 1, 2), True),
        (date(9999, 12, 30), True),
        (date(9999, 12, 31), False),
        (datetime(9999, 12, 31, 0, 0), False),
        (datetime(9999, 12, 30, 23, 59), True),
        (datetime(1, 1, 1, 23, 59), False),
    ],
)
def test_within_calendar_refuses_only_the_first_and_last_day(value, accepted):
    if accepted:
        within_calendar(value)
    else:
        with pytest.raises(ValidationError, match="Choose a date from 02 Jan 0001"):
            within_calendar(value)


@pytest.mark.parametrize("zone", ["UTC", EDGE_ZONE])
@pytest.mark.parametrize("name", ["detected_after", "detected_before"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("address", ["incidents:list", "incidents:export"])
def test_the_incident_list_and_export_refuse_a_day_at_the_calendars_edge(
    client_as, manager, incident, settings, zone, name, day, address
):
    settings.TIME_ZONE = zone

    response = client_as(manager).get(reverse(address), {name: day, "show": "all"})

    assert response.status_code == 200
    if address == "incidents:list":
        assert response.context["filter"].form.errors[name] == [OUT_OF_CALENDAR]
        assert OUT_OF_CALENDAR in factories.page_text(response)
    # The filter is left out: the incident is still listed.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert incident.reference in body.decode()


@pytest.mark.parametrize("name", ["start", "end"])
def test_the_lessons_refuse_a_day_at_the_calendars_edge(client_as, manager, name, settings):
    settings.TIME_ZONE = EDGE_ZONE

    response = client_as(manager).get(reverse("incidents:lessons"), {name: "9999-12-31"})

    assert response.status_code == 200
    assert OUT_OF_CALENDAR in factories.page_text(response)


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_the_forms_refuse_a_time_at_the_calendars_edge(client_as, manager, settings, moment):
    settings.TIME_ZONE = EDGE_ZONE
    client = client_as(manager)
    incident = factories.make_incident(manager)
    forms = [
        (reverse("incidents:create"), "detected_at"),
        (reverse("responses:action-item-create", args=[incident.reference]), "due_at"),
        (incident.get_absolute_url(), "next_update_at"),
        (reverse("incidents:party-create", args=[incident.reference]), "outreach_at"),
    ]
    for address, name in forms:
        values = factories.form_values(client.get(address), name)
        values[name] = moment
        target = (
            reverse("responses:update-draft", args=[incident.reference])
            if name == "next_update_at"
            else address
        )

        response = client.post(target, dict(values.lists()))

        assert response.status_code == 200, name
        assert OUT_OF_CALENDAR in factories.page_text(response), name


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_admin_refuses_a_time_at_the_calendars_edge(client_as, admin, settings, day):
    settings.TIME_ZONE = EDGE_ZONE
    address = reverse("admin:monitoring_apitoken_add")

    response = client_as(admin).post(
        address, {"name": "Listening tool", "expires_at_0": day, "expires_at_1": "12:00"}
    )

    assert response.status_code == 200
    assert OUT_OF_CALENDAR in factories.page_text(response)
