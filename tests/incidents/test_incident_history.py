"""The history pages of an incident and of an affected party: incidents:history and
incidents:party-history."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from incidents.models import AffectedParty
from tests import factories

DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
EDITED = datetime(2026, 3, 14, 9, 40, tzinfo=UTC)
MOVED = datetime(2026, 3, 14, 10, 15, tzinfo=UTC)


def history_url(incident):
    return reverse("incidents:history", args=[incident.reference])


def party_history_url(party):
    return reverse("incidents:party-history", args=[party.incident.reference, party.pk])


def articles(response):
    """Each change's card on the page, newest first, as decoded HTML."""
    html = factories.page_text(response)
    return html.split('<article class="card shadow-sm mb-3">')[1:]


def row(label, old, new):
    return (
        f'<tr><th scope="row" class="fw-normal">{label}</th>'
        f'<td class="text-prewrap"><del dir="auto">{old}</del></td>'
        f'<td class="text-prewrap"><ins dir="auto">{new}</ins></td></tr>'
    )


@pytest.fixture
def edited(comms, manager):
    """Declared by comms, retitled and re-led by the manager, then moved to Responding."""
    with time_machine.travel(DECLARED, tick=False):
        incident = factories.make_incident(comms, platforms=["x", "instagram"])
    with time_machine.travel(EDITED, tick=False):
        incident.title = "Warehouse outage delays 4,000 orders"
        incident.lead = manager
        incident.platforms = ["x", "tiktok"]
        incident.save_edit(
            by=manager,
            expected_version=1,
            fields=["title", "lead", "platforms"],
            reason="Facts confirmed by logistics",
        )
    with time_machine.travel(MOVED, tick=False):
        incident.start_response(by=comms, reason="Holding statement drafted")
    return incident


def test_each_change_shows_who_when_why_and_the_values_before_and_after(client_as, viewer, edited):
    response = client_as(viewer).get(history_url(edited))

    moved, changed, declared = articles(response)
    assert "<strong>Start responding: Holding statement drafted</strong>" in moved
    assert "Comms Tester · " in moved
    assert "14 Mar 2026, 10:15 UTC" in moved
    assert row("Status", "Triage", "Responding") in moved

    assert "<strong>Facts confirmed by logistics</strong>" in changed
    assert "Manager Tester · " in changed
    assert "14 Mar 2026, 09:40 UTC" in changed
    assert (
        row("Title", "Angry replies about late deliveries", "Warehouse outage delays 4,000 orders")
        in changed
    )
    assert row("Lead", "Comms Tester", "Manager Tester") in changed
    assert row("Platforms", "X, Instagram", "X, TikTok") in changed
    assert "Summary" not in changed  # unchanged fields are left out

    assert "<strong>Declared</strong>" in declared
    assert row("Title", "—", "Angry replies about late deliveries") in declared
    assert row("Severity", "—", "2 – Major") in declared
    assert row("Category", "—", "Negative comments") in declared
    assert row("Declared by", "—", "Comms Tester") in declared
    assert "Version" not in declared


def test_a_person_who_left_is_named_as_such(client_as, viewer, edited, manager):
    manager.delete()

    response = client_as(viewer).get(history_url(edited))

    changed = articles(response)[1]
    assert "someone no longer on file" in changed
    assert row("Lead", "Comms Tester", "someone no longer on file") in changed


def test_a_cancellation_shows_its_reason(client_as, viewer, manager, comms):
    incident = factories.make_incident(comms)
    incident.cancel(by=manager, reason="Parody account, not ours")

    response = client_as(viewer).get(history_url(incident))

    cancelled = articles(response)[0]
    assert "<strong>Cancelled: Parody account, not ours</strong>" in cancelled
    assert row("Reason for cancelling", "—", "Parody account, not ours") in cancelled


def test_the_public_link_token_never_shows_in_the_history(client_as, viewer, manager, comms):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)
    incident.refresh_from_db()

    response = client_as(viewer).get(history_url(incident))

    assert incident.public_token
    assert incident.public_token not in response.content.decode()


def test_the_party_history_shows_its_changes(client_as, viewer, comms, manager, incident):
    with time_machine.travel(DECLARED, tick=False):
        party = factories.make_party(incident, by=comms)
    with time_machine.travel(EDITED, tick=False):
        party.outreach_status = AffectedParty.Outreach.CONTACTED
        party.outreach_at = EDITED
        party.outreach_channel = "Email from the CEO"
        party.save_edit(
            by=manager,
            expected_version=1,
            fields=["outreach_status", "outreach_at", "outreach_channel"],
        )

    response = client_as(viewer).get(party_history_url(party))

    html = factories.page_text(response)
    assert '<span dir="auto">Customers: Customers in the north</span> · every change' in html
    changed, added = articles(response)
    assert "<strong>Edited</strong>" in changed and "Manager Tester · " in changed
    assert row("Outreach", "Not contacted", "Contacted") in changed
    assert row("Contacted at", "—", "14 Mar 2026, 09:40 UTC") in changed
    assert row("Contacted how", "—", "Email from the CEO") in changed
    assert "<strong>Added</strong>" in added and "Comms Tester · " in added
    assert row("Estimated number", "—", "1200") in added


def test_a_party_of_another_incident_is_not_found(client_as, viewer, comms, incident):
    other = factories.make_incident(comms, title="Another incident")
    party = factories.make_party(other)

    response = client_as(viewer).get(
        reverse("incidents:party-history", args=[incident.reference, party.pk])
    )

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["history", "party-history"])
def test_it_requires_login(name, client, party):
    args = [party.incident.reference] + ([party.pk] if name == "party-history" else [])
    url = reverse(f"incidents:{name}", args=args)

    response = client.get(url)

    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", ["history", "party-history"])
def test_it_rejects_post(name, client_as, comms, party):
    args = [party.incident.reference] + ([party.pk] if name == "party-history" else [])

    response = client_as(comms).post(reverse(f"incidents:{name}", args=args))

    assert response.status_code == 405


def test_it_answers_404_for_an_unknown_incident(client_as, viewer):
    response = client_as(viewer).get(reverse("incidents:history", args=["CR-1999-999"]))

    assert response.status_code == 404


@pytest.mark.parametrize("changes", [1, 50])
def test_its_queries_do_not_grow_with_changes(
    changes, client_as, viewer, comms, manager, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    for n in range(changes):
        incident.title = f"Title {n}"
        incident.lead = manager if n % 2 else comms
        incident.save_edit(
            by=manager if n % 2 else comms,
            expected_version=incident.version,
            fields=["title", "lead"],
        )
    client = client_as(viewer)

    with django_assert_max_num_queries(7):
        response = client.get(history_url(incident))

    assert len(response.context["entries"]) == changes + 1


@pytest.mark.parametrize("changes", [1, 50])
def test_the_party_history_queries_do_not_grow_with_changes(
    changes, client_as, viewer, comms, manager, incident, django_assert_max_num_queries
):
    party = factories.make_party(incident)
    for n in range(changes):
        party.description = f"Group {n}"
        party.save_edit(
            by=manager if n % 2 else comms, expected_version=party.version, fields=["description"]
        )
    client = client_as(viewer)

    with django_assert_max_num_queries(6):
        response = client.get(party_history_url(party))

    assert len(response.context["entries"]) == changes + 1
