"""The incident list with its search, filters and pages: incidents:list."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.models import Incident
from tests import factories

S = Incident.Status
URL = reverse("incidents:list")


def titles(response):
    return [incident.title for incident in response.context["page"].object_list]


@pytest.fixture
def three(comms, manager):
    """Three incidents that differ in every filtered fact, declared a day apart."""
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        factories.make_incident(
            comms,
            title="Checkout outage during the sale",
            category=Incident.Category.SERVICE_FAILURE,
            severity=Incident.Severity.CRITICAL,
            platforms=["x", "reddit"],
            lead=comms,
            status=S.RESOLVED,
        )
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        factories.make_incident(
            comms,
            title="Fake giveaway account",
            category=Incident.Category.MISINFORMATION,
            severity=Incident.Severity.MAJOR,
            platforms=["instagram", "tiktok"],
            tracking_terms="giveaway, free gift card",
            lead=manager,
            status=S.RESPONDING,
        )
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), tick=False):
        factories.make_incident(
            comms,
            title="Offensive post from the brand account",
            category=Incident.Category.INAPPROPRIATE_CONTENT,
            severity=Incident.Severity.MODERATE,
            platforms=["linkedin"],
            lead=None,
        )


def test_it_opens_on_open_incidents_most_severe_first_with_their_facts(client_as, viewer, three):
    response = client_as(viewer).get(URL)

    assert titles(response) == ["Fake giveaway account", "Offensive post from the brand account"]
    html = factories.page_text(response)
    assert "2 open incidents, the most severe and the longest-running first." in html
    assert (
        '<a class="nav-link active" aria-current="page" href="?show=open">Open incidents</a>'
        in (html)
    )
    assert '<a class="nav-link" href="?show=all">All incidents</a>' in html
    assert f'href="{reverse("incidents:export")}?show=open"' in html
    assert '<a class="row-link" href="/incidents/CR-2026-002/">CR-2026-002</a>' in html
    assert "Instagram, TikTok" in html
    assert "Misinformation or miscommunication" in html
    assert "Manager Tester" in html
    assert "2 Mar 2026, 09:00 UTC" in html


def test_among_open_incidents_of_one_severity_the_longest_running_comes_first(
    client_as, viewer, comms
):
    for day, title in [(3, "Newest"), (1, "Oldest"), (2, "Middle")]:
        with time_machine.travel(datetime(2026, 3, day, 9, 0, tzinfo=UTC), tick=False):
            factories.make_incident(comms, title=title, severity=Incident.Severity.MAJOR)
    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), tick=False):
        factories.make_incident(comms, title="Critical", severity=Incident.Severity.CRITICAL)

    response = client_as(viewer).get(URL)

    assert titles(response) == ["Critical", "Oldest", "Middle", "Newest"]


def test_one_click_shows_all_incidents_the_open_ones_first(client_as, viewer, comms, three):
    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), tick=False):
        factories.make_incident(comms, title="A rumour that was not", status=S.CANCELLED)

    response = client_as(viewer).get(f"{URL}?show=all")

    assert titles(response) == [
        "Fake giveaway account",
        "Offensive post from the brand account",
        "A rumour that was not",
        "Checkout outage during the sale",
    ]
    html = factories.page_text(response)
    assert "4 incidents: the open ones first, most severe first, then the rest, newest first." in (
        html
    )
    assert '<a class="nav-link active" aria-current="page" href="?show=all">All incidents</a>' in (
        html
    )
    assert '<a class="row-link" href="/incidents/CR-2026-002/">CR-2026-002</a>' in html
    assert "Instagram, TikTok" in html
    assert "Misinformation or miscommunication" in html
    assert "Manager Tester" in html
    assert "2 Mar 2026, 09:00 UTC" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=responding&show=all", ["Fake giveaway account"]),
        ("severity=1&show=all", ["Checkout outage during the sale"]),
        ("severity=1&show=open", []),
        ("category=inappropriate_content&show=all", ["Offensive post from the brand account"]),
        ("platform=x&show=all", ["Checkout outage during the sale"]),
        ("platform=x&show=open", []),
        ("platform=tiktok&show=open", ["Fake giveaway account"]),
        ("q=GIFT+CARD&show=all", ["Fake giveaway account"]),
        ("q=CR-2026-003&show=open", ["Offensive post from the brand account"]),
        (
            "detected_after=2026-03-02&show=all",
            ["Fake giveaway account", "Offensive post from the brand account"],
        ),
        ("detected_before=2026-03-01&show=all", ["Checkout outage during the sale"]),
        (
            "detected_after=2026-03-02&detected_before=2026-03-02&show=all",
            ["Fake giveaway account"],
        ),
        # A chosen status wins over the open tab.
        ("status=resolved&show=open", ["Checkout outage during the sale"]),
        ("status=resolved&severity=2&show=all", []),
    ],
)
def test_each_filter_narrows_the_list(query, expected, client_as, viewer, three):
    response = client_as(viewer).get(f"{URL}?{query}")

    assert titles(response) == expected
    html = factories.page_text(response)
    if expected:
        noun = "incident matches" if len(expected) == 1 else "incidents match"
        assert f"{len(expected)} {noun} the filters" in html
    else:
        assert "No incident matches these filters" in html
    assert f'href="{reverse("incidents:export")}?{query}"' in html


def test_a_filter_without_a_tab_looks_among_the_open_incidents(client_as, viewer, three):
    response = client_as(viewer).get(f"{URL}?platform=x")

    assert titles(response) == []
    html = factories.page_text(response)
    assert "No incident matches these filters among the open ones." in html
    assert '<a href="?platform=x&show=all">Look in all incidents</a>' in html


def test_the_filter_form_keeps_the_tab(client_as, viewer, three):
    response = client_as(viewer).get(f"{URL}?show=all")

    assert factories.form_values(response, "q")["show"] == "all"


def test_on_a_phone_the_filters_fold_behind_a_button_that_counts_them(client_as, viewer, three):
    """The form is a Bootstrap collapse, shut on a phone and open from md up (app.css); the
    button says how many filters are in use, the tab not counted."""
    plain = factories.page_text(client_as(viewer).get(f"{URL}?show=all"))
    filtered = factories.page_text(client_as(viewer).get(f"{URL}?show=all&severity=1&q=fake"))

    toggle = 'data-bs-target="#incident-filters" aria-expanded="false"'
    assert toggle in plain and toggle in filtered
    assert 'id="incident-filters" class="collapse collapse-md-open"' in plain
    assert ">Filters</button>" in plain
    assert 'Filters <span class="badge text-bg-primary">2<span class="visually-hidden"> in use' in (
        filtered
    )


def test_a_filter_not_understood_leaves_the_filters_open_on_a_phone(client_as, viewer, three):
    html = factories.page_text(client_as(viewer).get(f"{URL}?severity=9"))

    assert 'data-bs-target="#incident-filters" aria-expanded="true"' in html
    assert 'id="incident-filters" class="collapse collapse-md-open show"' in html


def test_it_filters_by_lead(client_as, viewer, manager, three):
    response = client_as(viewer).get(f"{URL}?lead={manager.pk}")

    assert titles(response) == ["Fake giveaway account"]


def test_unknown_filter_values_are_left_out_with_a_visible_note(client_as, viewer, three):
    response = client_as(viewer).get(
        f"{URL}?status=bogus&severity=9&lead=999999&platform=nope&detected_after=notadate&show=all"
    )

    assert response.status_code == 200
    assert len(titles(response)) == 3
    html = factories.page_text(response)
    assert "Some filters were not understood and were left out: see the marked fields." in html
    errors = response.context["filter"].form.errors
    assert set(errors) == {"status", "severity", "lead", "platform", "detected_after"}
    for field in errors:
        assert f'id="id_{field}_error"' in html


def test_a_marked_filter_does_not_stay_marked_on_the_next_request(client_as, viewer, three):
    """The filter form's class is made once (IncidentFilter._form_class): one request's marks
    must not reach the next one's fields."""
    client = client_as(viewer)
    marked = factories.page_text(client.get(f"{URL}?severity=9&show=all"))
    clean = factories.page_text(client.get(f"{URL}?severity=1&show=all"))

    assert 'aria-invalid="true"' in marked and "is-invalid" in marked
    assert 'aria-invalid="true"' not in clean and "is-invalid" not in clean


def test_the_lead_filter_offers_the_people_active_now(client_as, viewer, comms, three):
    """The leads are read afresh by each request's form, not kept with the form's class."""
    client = client_as(viewer)
    client.get(URL)  # the form's class is made
    newcomer = factories.make_user("newcomer", first_name="Nora", last_name="Newcomer")

    offered = client.get(URL).context["filter"].form.fields["lead"].queryset
    assert newcomer in offered and comms in offered
    assert f'<option value="{newcomer.pk}">Nora Newcomer</option>' in factories.page_text(
        client.get(URL)
    )

    newcomer.is_active = False
    newcomer.save()
    assert newcomer not in client.get(URL).context["filter"].form.fields["lead"].queryset
    assert (
        factories.page_text(client_as(viewer).get(f"{URL}?lead={newcomer.pk}&show=all")).count(
            'id="id_lead_error"'
        )
        == 1
    )


def test_what_was_typed_in_the_filters_comes_back_as_text(client_as, viewer, three):
    """What was typed comes back escaped in the filter inputs (Django's widgets write them)."""
    typed = '"><script>alert(1)</script>'
    html = client_as(viewer).get(URL, {"q": typed, "detected_after": typed}).content.decode()

    assert "<script>alert(1)" not in html
    assert 'name="q" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'name="detected_after" value="&quot;&gt;&lt;script&gt;' in html


def test_valid_filters_still_apply_beside_unknown_ones(client_as, viewer, three):
    response = client_as(viewer).get(f"{URL}?status=bogus&category=misinformation&show=all")

    assert titles(response) == ["Fake giveaway account"]


def test_it_shows_twenty_five_incidents_a_page(client_as, viewer, comms):
    for n in range(26):
        factories.make_incident(comms, title=f"Incident number {n:02d}")

    first = client_as(viewer).get(f"{URL}?q=number")
    second = client_as(viewer).get(f"{URL}?q=number&page=2")

    assert len(titles(first)) == 25
    assert titles(first)[0] == "Incident number 00"  # open, one severity: the oldest first
    assert titles(second) == ["Incident number 25"]
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?q=number&amp;show=open&amp;page=2">Next</a>' in first.content.decode()
    assert 'href="?q=number&amp;show=open&amp;page=1">Previous</a>' in second.content.decode()


@pytest.mark.parametrize("page", ["0", "99", "last", "-1"])
def test_a_page_out_of_range_shows_a_real_page(page, client_as, viewer, three):
    response = client_as(viewer).get(f"{URL}?show=all&page={page}")

    assert len(titles(response)) == 3


def test_with_no_incidents_it_says_so(client_as, viewer):
    response = client_as(viewer).get(URL)

    assert "No incidents yet." in factories.page_text(response)


def test_with_none_open_it_says_so_and_offers_all(client_as, viewer, comms):
    factories.make_incident(comms, status=S.RESOLVED)

    response = client_as(viewer).get(URL)

    html = factories.page_text(response)
    assert "No open incidents." in html
    assert '<a href="?show=all">Show all incidents</a>' in html


def test_comms_is_offered_to_declare_and_a_viewer_is_not(client_as, comms, viewer):
    create = f'href="{reverse("incidents:create")}"'

    assert create in client_as(comms).get(URL).content.decode()
    assert create not in client_as(viewer).get(URL).content.decode()


def test_it_requires_login(client, db):
    response = client.get(URL)

    assert response.url == f"{reverse('login')}?next={URL}"


def test_it_rejects_post(client_as, comms):
    response = client_as(comms).post(URL)

    assert response.status_code == 405


@pytest.mark.parametrize("count", [1, 50])
def test_its_queries_do_not_grow_with_incidents(
    count, client_as, viewer, comms, manager, django_assert_max_num_queries
):
    for n in range(count):
        factories.make_incident(comms, title=f"Incident {n}", lead=manager if n % 2 else comms)
    client = client_as(viewer)

    with django_assert_max_num_queries(factories.LIST_QUERIES):
        response = client.get(URL)

    assert response.context["page"].paginator.count == count


# Any query string a person or a crawler sends gets a page, never a server error.
FIELDS = [
    "q",
    "status",
    "severity",
    "category",
    "platform",
    "lead",
    "detected_after",
    "detected_before",
    "show",
    "page",
]
values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["triage", "x", "1", "2026-03-02", "on", "all", "open", "", "%00", "\x00"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.lists(st.tuples(st.sampled_from(FIELDS), values), max_size=6))
def test_no_query_string_breaks_the_list(client_as, viewer, comms, query):
    if not Incident.objects.exists():
        factories.make_incident(comms, title="Always here")

    response = client_as(viewer).get(URL, dict(query))

    assert response.status_code == 200
    assert re.search(r"\d+ (open )?incidents?( match|,|:)", factories.page_text(response))


@pytest.mark.parametrize("typed", ["\x01", "!!", '""', "-"])
@pytest.mark.parametrize("tab", ["", "all"])
def test_a_search_without_a_word_finds_nothing_and_says_so(client_as, viewer, three, typed, tab):
    # Typed, but not one word in it: the search matches no row, a segment that no SQL can state
    # (Django's EmptyResultSet), which the list's one counting statement must count as none.
    response = client_as(viewer).get(URL, {"q": typed, "show": tab})

    assert response.status_code == 200
    assert "0 incidents" in factories.page_text(response) or "No incidents" in (
        factories.page_text(response)
    )
