from django.urls import reverse


def test_dashboard_lists_an_open_incident(client_as, comms, incident):
    response = client_as(comms).get(reverse("incidents:dashboard"))
    assert incident.reference in response.content.decode()
