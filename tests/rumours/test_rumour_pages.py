"""The rumours' pages: the incident page's panel and timeline, logging and editing a rumour,
an incident's list, the desk's log and its export; bad input and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis import panels
from rumours.models import Rumour
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><b>bold</b>'


def form_data(**overrides):
    data = {
        "claim": "Card numbers leaked during the outage",
        "risk": "high",
        "verification": "unverified",
        "owner": "",
        "correction": "",
        "response": "",
        "first_seen_at": "",
        "reach": "",
        "once_token": factories.once_token(),
    }
    data.update(overrides)
    return data


def edit_data(rumour, **overrides):
    data = {
        "claim": rumour.claim,
        "risk": rumour.risk,
        "verification": rumour.verification,
        "owner": rumour.owner_id,
        "correction": rumour.correction,
        "response": rumour.response_id or "",
        "first_seen_at": rumour.first_seen_at.strftime("%Y-%m-%dT%H:%M"),
        "reach": rumour.reach,
        "mentions": [m.pk for m in rumour.mentions.all()],
        "version": rumour.version,
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


# The incident page


def test_the_incident_page_shows_its_riskiest_rumours_and_offers_logging(
    client_as, comms, viewer, incident
):
    factories.make_rumour(incident, comms, claim="Low one", risk="low")
    factories.make_rumour(incident, comms, claim="Loud one", risk="high", reach=9000)

    html = factories.page_text(client_as(comms).get(incident.get_absolute_url()))
    viewer_html = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    assert html.index("Loud one") < html.index("Low one")
    assert "Log a rumour" in html and "Log a rumour" not in viewer_html
    # A viewer is led to the list (the edit page is not theirs), Comms to the edit page.
    loud = Rumour.objects.get(claim="Loud one")
    assert f'href="{loud.get_absolute_url()}"' in html
    assert f'href="{loud.get_absolute_url()}"' not in viewer_html
    assert f"/rumours/#rumour-{loud.pk}" in viewer_html
    assert "All 2 rumours" in html
    assert "Rumour logged" in html  # on the timeline


def test_no_rumour_says_so(client_as, viewer, incident):
    html = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    assert "No rumour logged." in html


def page_queries(client, incident):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [1, 30])
def test_rumours_cost_the_incident_page_one_query_however_many(
    count, client_as, manager, comms, incident, monkeypatch, django_assert_max_num_queries
):
    statement = factories.make_statement(incident, comms)
    for n in range(count):
        mention = factories.make_mention(incident, external_id=f"r-{n}")
        factories.make_rumour(
            incident, comms, claim=f"Claim {n}", mentions=[mention], response=statement
        )
    client = client_as(manager)
    client.get(incident.get_absolute_url())  # warm the caches

    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(incident.get_absolute_url())
    with_rumours = page_queries(client, incident)
    monkeypatch.setattr(
        panels,
        "incident_panels",
        [p for p in panels.incident_panels if p.func.__module__ != "rumours.panels"],
    )
    monkeypatch.setattr(
        panels,
        "timeline_providers",
        [p for p in panels.timeline_providers if p.func.__module__ != "rumours.panels"],
    )

    assert with_rumours - page_queries(client, incident) == 1
    assert factories.page_text(response).count('data-testid="rumour"') == min(count, 5)


def test_the_timeline_shows_each_rumour_logged_and_checked(client_as, comms, manager, incident):
    rumour = factories.make_rumour(incident, comms, claim="Stores are closing")
    rumour.verification = Rumour.Verification.FALSE
    rumour.save_changes(
        by=manager, expected_version=rumour.version, fields=["verification"], mentions=[]
    )

    response = client_as(comms).get(
        reverse("incidents:timeline", args=[incident.reference]) + "?kind=rumour"
    )

    entries = response.context["page"].object_list
    assert [(e.reason, e.subject, e.by) for e in entries] == [
        ("Rumour checked: false", "Rumour: Stores are closing", manager),
        ("Rumour logged", "Rumour: Stores are closing", comms),
    ]


# Logging and editing


def test_logging_a_rumour_seen_in_a_mention(client_as, comms, incident):
    mention = factories.make_mention(incident, reach=700, text="They leaked my card!")
    client = client_as(comms)
    url = reverse("rumours:create", args=[incident.reference])

    form_page = client.get(url, {"mention": mention.pk})
    data = form_data(owner=comms.pk, mentions=[mention.pk])
    response = client.post(url, data)
    again = client.post(url, data)

    rumour = Rumour.objects.get()
    assert "checked" in factories.page_text(form_page).split(f'value="{mention.pk}"')[1][:40]
    assert response.status_code == 302 and response["Location"] == rumour.get_absolute_url()
    assert again.status_code == 302 and Rumour.objects.count() == 1
    assert list(rumour.mentions.all()) == [mention]
    assert (rumour.reach, rumour.first_seen_at, rumour.created_by) == (
        700,
        mention.posted_at,
        comms,
    )
    shown = factories.messages_shown(client.get(response["Location"]))
    assert ("success", "Rumour logged.") in shown


def test_a_mention_of_another_incident_is_refused_by_the_field(client_as, comms, incident):
    stranger = factories.make_mention(factories.make_incident(comms, title="Another one"))
    client = client_as(comms)

    response = client.post(
        reverse("rumours:create", args=[incident.reference]),
        form_data(owner=comms.pk, mentions=[stranger.pk], claim="Typed with care"),
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("mentions")
    assert "Typed with care" in factories.page_text(response)
    assert not Rumour.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("claim", "x" * 2001),
        ("claim", ""),
        ("claim", "with a \x00 NUL"),
        ("reach", "-5"),
        ("reach", "9" * 30),
        ("first_seen_at", "yesterday-ish"),
        ("risk", "catastrophic"),
        ("owner", "999999999999999999999"),
        ("mentions", "²"),
        ("response", "0"),
    ],
)
def test_bad_input_is_told_by_its_field_and_keeps_what_was_typed(
    field, value, client_as, comms, incident
):
    data = form_data(owner=comms.pk, correction="Kept as typed")
    data[field] = value

    response = client_as(comms).post(reverse("rumours:create", args=[incident.reference]), data)

    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    assert "Kept as typed" in factories.page_text(response)
    assert not Rumour.objects.exists()


def test_an_edit_saves_and_a_stale_one_shows_the_newer_version(client_as, comms, manager, incident):
    rumour = factories.make_rumour(incident, comms, claim="First wording")
    opened = edit_data(rumour)
    url = rumour.get_absolute_url()

    saved = client_as(manager).post(url, {**opened, "claim": "Manager's wording"})
    stale = client_as(comms).post(url, {**opened, "claim": "Comms' wording"})

    assert saved.status_code == 302
    assert stale.status_code == 200
    assert "Manager&#x27;s wording" in stale.content.decode()
    assert "Comms&#x27; wording" in stale.content.decode()  # what was typed stays
    assert factories.reload(rumour).claim == "Manager's wording"


def test_a_rumour_of_a_closed_incident_is_not_offered_for_editing(client_as, comms, incident):
    rumour = factories.make_rumour(incident, comms)
    factories.walk_to(incident, "closed")
    client = client_as(comms)

    page = client.get(rumour.get_absolute_url())
    post = client.post(rumour.get_absolute_url(), edit_data(rumour, claim="After closing"))
    new = client.get(reverse("rumours:create", args=[incident.reference]))

    assert page.status_code == post.status_code == new.status_code == 302
    assert factories.FROZEN_NOTICE in factories.messages_shown(client.get(page["Location"]))
    assert factories.reload(rumour).claim == "Card numbers leaked during the outage"


def test_a_viewer_may_read_but_not_log(client_as, viewer, comms, incident):
    factories.make_rumour(incident, comms)
    client = client_as(viewer)

    assert client.get(reverse("rumours:list", args=[incident.reference])).status_code == 200
    assert client.get(reverse("rumours:create", args=[incident.reference])).status_code == 403
    assert Rumour.objects.count() == 1


# Hostile text, everywhere it is shown


def test_a_hostile_claim_is_shown_as_text_everywhere(client_as, comms, manager, incident):
    statement = factories.make_statement(incident, comms, status="published", kind="correction")
    rumour = factories.make_rumour(
        incident,
        comms,
        claim=HOSTILE,
        correction=HOSTILE,
        verification="false",
        response=statement,
        is_public=True,
    )
    incident.open_public_page(by=manager)
    client = client_as(comms)
    pages = [
        incident.get_absolute_url(),
        reverse("rumours:list", args=[incident.reference]),
        reverse("rumours:log"),
        rumour.get_absolute_url(),
        reverse("rumours:history", args=[rumour.pk]),
        reverse("incidents:timeline", args=[incident.reference]),
        reverse("responses:public-page", args=[incident.public_token]),
    ]

    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<b>bold</b>" not in html, url
        assert "&lt;script&gt;" in html, url


def test_the_export_disarms_formulas(client_as, comms, incident):
    factories.make_rumour(incident, comms, claim='=HYPERLINK("http://evil")', correction="+1")

    response = client_as(comms).get(reverse("rumours:log-export"))

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body and ",'+1," in body


# The lists


def test_the_log_filters_by_finding_risk_and_words(client_as, viewer, comms, incident):
    factories.make_rumour(incident, comms, claim="Stores closing", verification="false")
    factories.make_rumour(incident, comms, claim="Prices rising", risk="low")
    client = client_as(viewer)

    def claims(**query):
        page = client.get(reverse("rumours:log"), query).context["page"]
        return [r.claim for r in page]

    assert claims() == ["Prices rising", "Stores closing"]
    assert claims(verification="false") == ["Stores closing"]
    assert claims(risk="low") == ["Prices rising"]
    assert claims(q="stores") == ["Stores closing"]
    assert claims(risk="odd\x00") == ["Prices rising", "Stores closing"]


@pytest.mark.parametrize("count", [1, 30])
def test_the_lists_do_not_grow_queries_with_rumours(
    count, client_as, comms, incident, django_assert_max_num_queries
):
    statement = factories.make_statement(incident, comms)
    for n in range(count):
        factories.make_rumour(incident, comms, claim=f"Claim {n}", response=statement)
    client = client_as(comms)

    # Session, user, permissions, the incident, the count, the page.
    with django_assert_max_num_queries(6):
        listed = client.get(reverse("rumours:list", args=[incident.reference]))
    # Session, user, permissions, the count, the page.
    with django_assert_max_num_queries(5):
        logged = client.get(reverse("rumours:log"))

    assert len(listed.context["page"]) == len(logged.context["page"]) == count
