"""Declaring an incident: incidents:create."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.models import Incident
from tests import factories

URL = reverse("incidents:create")
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def valid_data(**overrides):
    data = {
        "title": "Influencer video claims our cream burns skin",
        "public_title": "Questions about our skin cream",
        "summary": "A video with 2 million views shows a rash.",
        "category": Incident.Category.MISINFORMATION,
        "severity": Incident.Severity.MAJOR,
        "platforms": ["tiktok", "instagram"],
        "tracking_terms": "#burncream, skin cream",
        "detected_at": "2026-03-14T08:15",
        "once_token": factories.once_token(),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["comms", "manager", "admin"])
def test_it_declares_an_incident_for_each_role_that_may(role, request, client_as):
    user = request.getfixturevalue(role)
    data = valid_data(lead=user.pk)

    with time_machine.travel(NOW, tick=False):
        response = client_as(user).post(URL, data, follow=True)

    incident = Incident.objects.get()
    assert response.redirect_chain == [(incident.get_absolute_url(), 302)]
    assert incident.reference == "CR-2026-001"
    assert incident.title == "Influencer video claims our cream burns skin"
    assert incident.public_title == "Questions about our skin cream"
    assert incident.category == Incident.Category.MISINFORMATION
    assert incident.severity == Incident.Severity.MAJOR
    assert incident.platforms == ["tiktok", "instagram"]
    assert incident.tracking_terms == "#burncream, skin cream"
    assert incident.lead == user
    assert incident.status == Incident.Status.TRIAGE
    assert incident.declared_by == user
    assert incident.declared_at == NOW
    assert incident.detected_at == datetime(2026, 3, 14, 8, 15, tzinfo=UTC)
    row = incident.history.get()
    assert (row.history_user, row.history_change_reason) == (user, "Declared")
    assert factories.messages_shown(response) == [
        ("success", "Incident CR-2026-001 declared. Now gather the facts.")
    ]


def test_it_needs_only_a_title_and_a_category_besides_the_prefilled_fields(client_as, comms):
    with time_machine.travel(NOW, tick=False):
        prefilled = factories.form_values(client_as(comms).get(URL), containing="title")
        prefilled["title"] = "Fake giveaway account"
        prefilled["category"] = "misinformation"
        prefilled["lead"] = ""
        client_as(comms).post(URL, dict(prefilled.lists()))

    incident = Incident.objects.get()
    assert incident.title == "Fake giveaway account"
    assert incident.platforms == []
    assert incident.lead is None
    assert incident.detected_at == NOW


def test_the_empty_form_suggests_me_as_lead_and_now_as_detected(client_as, comms):
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).get(URL)

    assert "Declare an incident" in response.content.decode()
    prefilled = factories.form_values(response, containing="title")
    assert prefilled["lead"] == str(comms.pk)
    assert prefilled["detected_at"] == "2026-03-14T09:30"
    assert prefilled["severity"] == str(Incident.Severity.MODERATE)


def test_it_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_it_refuses_an_anonymous_post(client, db):
    response = client.post(URL, valid_data())

    assert response.url.startswith(reverse("login"))
    assert not Incident.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_it_rejects_other_methods(method, client_as, comms):
    response = getattr(client_as(comms), method)(URL)

    assert response.status_code == 405
    assert not Incident.objects.exists()


def test_it_refuses_the_form_to_a_viewer(client_as, viewer):
    response = client_as(viewer).get(URL)

    assert response.status_code == 403
    assert "You may not do that" in response.content.decode()


def test_it_refuses_a_declaration_by_a_viewer(client_as, viewer):
    response = client_as(viewer).post(URL, valid_data())

    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_a_missing_title_is_shown_by_the_field_and_what_was_typed_stays(client_as, comms):
    response = client_as(comms).post(URL, valid_data(title=""))

    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert response.context["form"].errors["title"] == ["This field is required."]
    html = response.content.decode()
    assert 'aria-describedby="id_title_error"' in html
    assert '<p id="error_1_id_title"><strong>This field is required.</strong></p>' in html
    kept = factories.form_values(response, containing="title")
    assert kept["summary"] == "A video with 2 million views shows a rash."
    assert kept["public_title"] == "Questions about our skin cream"
    assert kept["tracking_terms"] == "#burncream, skin cream"
    assert kept["category"] == "misinformation"
    assert kept.getlist("platforms") == ["instagram", "tiktok"]
    assert kept["detected_at"] == "2026-03-14T08:15"


def test_a_detection_in_the_future_is_explained(client_as, comms):
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).post(URL, valid_data(detected_at="2026-03-14T10:00"))

    assert not Incident.objects.exists()
    assert response.context["form"].errors["detected_at"] == [
        "The first signal cannot be later than the declaration (now)."
    ]
    assert '<p id="error_1_id_detected_at">' in response.content.decode()


def test_an_unknown_category_and_platform_are_refused(client_as, comms):
    response = client_as(comms).post(
        URL, valid_data(category="gossip", platforms=["x", "myspace"], severity=9)
    )

    assert not Incident.objects.exists()
    assert set(response.context["form"].errors) == {"category", "platforms", "severity"}


# Whatever people type or paste, the page answers with the form or the new incident, never a 500.
typed = st.text(max_size=300)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(title=typed, public_title=typed, summary=st.text(max_size=2000), tracking_terms=typed)
def test_no_text_in_the_form_breaks_the_page(
    client_as, comms, title, public_title, summary, tracking_terms
):
    before = Incident.objects.count()
    response = client_as(comms).post(
        URL,
        valid_data(
            title=title, public_title=public_title, summary=summary, tracking_terms=tracking_terms
        ),
    )

    if response.status_code == 302:
        incident = Incident.objects.latest("pk")
        assert response.url == incident.get_absolute_url()
        assert incident.title == title.strip()
    else:
        assert response.status_code == 200
        assert response.context["form"].errors
        assert Incident.objects.count() == before


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_the_detected_field_names_the_time_zone_it_is_read_in(client_as, comms, settings, zone):
    # A browser's date-time input says nothing of zones: the form names the one it reads.
    settings.TIME_ZONE = zone

    response = client_as(comms).get(reverse("incidents:create"))

    help_text = re.search(
        r'id="id_detected_at_helptext"[^>]*>(.*?)</', response.content.decode(), re.S
    )
    assert help_text and f"Times are in {zone}." in help_text.group(1)
