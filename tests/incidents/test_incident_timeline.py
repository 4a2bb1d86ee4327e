"""The incident's timeline: incidents:timeline, and its latest entries on the incident page."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import AffectedParty
from responses.models import Statement
from tests import factories

DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
S = Statement.Status


def at(minutes):
    return time_machine.travel(DECLARED + timedelta(minutes=minutes), tick=False)


def timeline_url(incident, query=""):
    return reverse("incidents:timeline", args=[incident.reference]) + query


def shown(response):
    """The timeline page's entries, newest first, as (kind, headline, subject, detail, who)."""
    return [
        (e.kind, e.reason, e.subject, e.detail, e.by) for e in response.context["page"].object_list
    ]


@pytest.fixture
def story(comms, manager):
    """An incident's first hour, one step a minute."""
    with at(0):
        incident = factories.make_incident(comms)
    with at(1):
        party = factories.make_party(incident, by=comms, description="Customers in the north")
    with at(2):
        party.outreach_status = AffectedParty.Outreach.CONTACTED
        party.outreach_at = DECLARED
        party.save_edit(
            by=comms, expected_version=party.version, fields=["outreach_status", "outreach_at"]
        )
    with at(3):
        incident.start_response(by=comms, reason="Facts gathered")
    with at(4):
        statement = Statement.draft(
            incident=incident, by=comms, body="We are on it.", target_platforms=["x", "facebook"]
        )
    with at(5):
        statement.submit(by=comms)
    with at(6):
        statement.request_changes(by=manager, comment="Say sorry.")
    with at(7):
        statement.body = "Sorry: we are on it."
        statement.save_wording(by=comms, expected_version=statement.version, fields=["body"])
    with at(8):
        statement.submit(by=comms)
    with at(9):
        statement.approve(by=manager, comment="Good.")
    with at(10):
        statement.publish(by=manager, links={"x": "https://x.com/brand/status/1"})
    with at(11):
        publication = statement.publications.get(platform="facebook")
        publication.set_link("https://facebook.com/brand/posts/2", by=comms)
    with at(12):
        incident.open_public_page(by=manager)
    with at(13):
        incident.title = "Late deliveries in the north"
        incident.save_edit(by=comms, expected_version=incident.version, fields=["title"])
    return incident


def test_it_tells_everything_that_happened_newest_first(client_as, viewer, comms, manager, story):
    response = client_as(viewer).get(timeline_url(story))

    holding = "Statement: Holding statement"
    assert shown(response) == [
        (
            "incident",
            "Edited",
            "Incident",
            "Title: Angry replies about late deliveries → Late deliveries in the north",
            comms,
        ),
        ("public_page", "Public page opened", "Incident", "", manager),
        (
            "publication",
            "Link added",
            holding,
            "On Facebook: https://facebook.com/brand/posts/2",
            comms,
        ),
        ("publication", "Published", holding, "To X, Facebook", manager),
        ("publication", "First public acknowledgement: Holding statement", "Incident", "", manager),
        ("review", "Approved: Good.", holding, "", manager),
        ("statement", "Submitted for approval", holding, "Version 5", comms),
        ("statement", "Edited", holding, "Body: We are on it. → Sorry: we are on it.", comms),
        ("review", "Changes requested: Say sorry.", holding, "", manager),
        ("statement", "Submitted for approval", holding, "Version 2", comms),
        ("statement", "Drafted", holding, "", comms),
        ("status", "Start responding: Facts gathered", "Incident", "", comms),
        (
            "party",
            "Edited",
            "Affected party: Customers in the north",
            "Outreach: Not contacted → Contacted; Contacted at: — → 14 Mar 2026, 09:00 UTC",
            comms,
        ),
        ("party", "Added", "Affected party: Customers in the north", "Customers", comms),
        ("status", "Declared", "Incident", "", comms),
    ]


def test_each_entry_says_who_and_when_and_links_to_its_record(client_as, viewer, story):
    statement = story.statements.get()
    party = story.affected_parties.get()

    html = factories.page_text(client_as(viewer).get(timeline_url(story)))

    assert "<strong>Start responding: Facts gathered</strong>" in html
    assert "Comms Tester · " in html and "14 Mar 2026, 09:03 UTC" in html
    assert (
        f'<a href="{statement.get_absolute_url()}" dir="auto">Statement: Holding statement' in html
    )
    assert f'<a href="{story.get_absolute_url()}#party-{party.pk}" dir="auto">' in html
    assert f'<a href="{statement.get_absolute_url()}#publications" dir="auto">' in html


def test_it_filters_by_kind(client_as, viewer, story):
    response = client_as(viewer).get(timeline_url(story, "?kind=review&kind=status&kind=review"))

    assert [(kind, headline) for kind, headline, *_ in shown(response)] == [
        ("review", "Approved: Good."),
        ("review", "Changes requested: Say sorry."),
        ("status", "Start responding: Facts gathered"),
        ("status", "Declared"),
    ]
    html = factories.page_text(response)
    assert 'value="review" id="kind-review" checked>' in html
    assert 'value="status" id="kind-status" checked>' in html
    assert 'value="party" id="kind-party">' in html
    assert "Show everything" in html


def test_publications_gather_the_statement_the_links_and_the_first_public_word(
    client_as, viewer, story
):
    response = client_as(viewer).get(timeline_url(story, "?kind=publication"))

    assert [headline for _, headline, *_ in shown(response)] == [
        "Link added",
        "Published",
        "First public acknowledgement: Holding statement",
    ]


def test_the_filter_offers_every_kind_by_its_label(client_as, viewer, story):
    response = client_as(viewer).get(timeline_url(story))

    labels = [label for _, label, _ in response.context["kinds"]]
    for label in (
        "Status",
        "Incident details",
        "Affected parties",
        "Public page",
        "Statements",
        "Reviews",
        "Publications",
    ):
        assert label in labels
    assert '<label class="form-check-label" for="kind-status">Status</label>' in (
        factories.page_text(response)
    )


@pytest.mark.parametrize(
    "query",
    [
        "?kind=nonsense",
        "?kind=" + "x" * 5000,
        "?kind=%00",
        "?kind=status&kind=%3Cscript%3E",
    ],
)
def test_an_unknown_kind_is_ignored_with_a_message(query, client_as, viewer, story):
    response = client_as(viewer).get(timeline_url(story, query))

    assert response.status_code == 200
    (level, text), *_ = factories.messages_shown(response)
    assert level == "warning" and text.startswith("Not a kind of entry, so ignored:")
    assert "<script>" not in response.content.decode()
    kinds = {kind for kind, *_ in shown(response)}
    assert kinds == ({"status"} if "kind=status" in query else kinds) and len(kinds) >= 1
    assert len(text) < 400


def test_a_known_kind_shows_no_message(client_as, viewer, story):
    response = client_as(viewer).get(timeline_url(story, "?kind=party"))

    assert factories.messages_shown(response) == []


def test_a_kind_with_nothing_yet_says_so(client_as, viewer, incident):
    response = client_as(viewer).get(timeline_url(incident, "?kind=review"))

    assert shown(response) == []
    assert "Nothing of these kinds happened yet." in factories.page_text(response)


def edit_title(incident, user, times):
    for n in range(times):
        incident.title = f"Title {n}"
        incident.save_edit(by=user, expected_version=incident.version, fields=["title"])


def test_a_long_timeline_is_paged_and_keeps_its_filter(client_as, viewer, incident):
    edit_title(incident, viewer, 149)  # and the declaration: 150 entries
    client = client_as(viewer)

    first = client.get(timeline_url(incident, "?kind=incident&kind=status"))
    second = client.get(timeline_url(incident, "?kind=incident&kind=status&page=2"))

    assert len(first.context["page"].object_list) == 100
    assert first.context["page"].object_list[0].reason == "Edited"
    assert first.context["page"].object_list[0].detail == "Title: Title 147 → Title 148"
    assert second.context["page"].object_list[-1].reason == "Declared"
    assert len(second.context["page"].object_list) == 50
    # The filter's kinds in the registry's order, whatever order the address gave.
    assert "?kind=status&amp;kind=incident&amp;page=2" in first.content.decode()
    assert "150 in all" in factories.page_text(first)
    # Newest first: the pager walks to older entries and back to newer ones.
    assert ">Older</a>" in first.content.decode()
    assert ">Newer</a>" in second.content.decode()


@pytest.mark.parametrize("page", ["0", "99", "-1", "abc", "²", "9" * 40])
def test_an_odd_page_number_shows_a_page(page, client_as, viewer, incident):
    response = client_as(viewer).get(timeline_url(incident, f"?page={page}"))

    assert response.status_code == 200
    assert shown(response)[-1][1] == "Declared"


# The incident page's preview.


def test_the_incident_page_shows_the_latest_thirty_and_links_to_the_rest(
    client_as, viewer, incident
):
    edit_title(incident, viewer, 34)

    response = client_as(viewer).get(incident.get_absolute_url())

    entries = response.context["timeline"]
    assert len(entries) == 30
    # Newest first, and even the oldest shown says what it changed, not every field it holds.
    assert entries[0].detail == "Title: Title 32 → Title 33"
    assert entries[-1].detail == "Title: Title 3 → Title 4"
    html = factories.page_text(response)
    assert "The latest 30 ·" in html
    assert f'href="{timeline_url(incident)}">Full timeline' in html


def test_a_short_timeline_on_the_incident_page_is_all_of_it(client_as, viewer, story):
    response = client_as(viewer).get(story.get_absolute_url())

    assert [e.reason for e in response.context["timeline"]][-1] == "Declared"
    assert len(response.context["timeline"]) == 15
    assert "The latest" not in factories.page_text(response)
    assert "Full timeline" in factories.page_text(response)


def test_the_preview_tells_a_statement_from_its_review_from_the_middle_of_its_history(
    client_as, viewer, comms, manager, incident
):
    statement = factories.make_statement(incident, comms)
    for n in range(20):
        statement.body = f"Wording {n}."
        statement.save_wording(by=comms, expected_version=statement.version, fields=["body"])
    statement.submit(by=comms)
    edit_title(incident, comms, 29)

    response = client_as(viewer).get(incident.get_absolute_url())

    entries = response.context["timeline"]
    assert entries[-1].reason == "Submitted for approval"  # the only statement row in view
    assert entries[-1].kind == "statement"
    assert entries[-1].detail == "Version 22"
    assert entries[-2].kind == "incident"


# Who may read it.


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_every_signed_in_role_may_read_it(role, request, client_as, story):
    response = client_as(request.getfixturevalue(role)).get(timeline_url(story))

    assert response.status_code == 200
    assert len(shown(response)) == 15


def test_it_requires_login(client, story):
    response = client.get(timeline_url(story))

    assert response.url == f"{reverse('login')}?next={timeline_url(story)}"


def test_it_answers_head_like_get(client_as, viewer, story):
    client = client_as(viewer)

    head = client.head(timeline_url(story))

    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_rejects_other_methods(method, client_as, manager, story):
    response = getattr(client_as(manager), method)(timeline_url(story))

    assert response.status_code == 405


def test_it_answers_404_for_an_unknown_incident(client_as, viewer):
    response = client_as(viewer).get(reverse("incidents:timeline", args=["CR-1999-999"]))

    assert response.status_code == 404


# However long it grows, the pages cost the same number of queries.


def make_events(incident, comms, manager, count):
    """About ``count`` history rows of every kind: edits, parties, statements through their
    workflow to publication, links."""
    made = 2  # declared, the party added
    party = factories.make_party(incident, by=comms)
    while made < count:
        statement = factories.make_statement(incident, comms, target_platforms=["x", "facebook"])
        statement.submit(by=comms)
        statement.approve(by=manager)
        statement.publish(by=manager)
        statement.publications.first().set_link("https://x.com/brand/status/1", by=comms)
        party.description = f"Group {made}"
        party.save_edit(by=comms, expected_version=party.version, fields=["description"])
        incident.title = f"Title {made}"
        incident.lead = manager if made % 2 else comms
        incident.save_edit(by=comms, expected_version=incident.version, fields=["title", "lead"])
        # Drafted, submitted, approved, published, a link, a party and an incident edited; and
        # the first time, the incident's first public acknowledgement.
        made += 7 + (made == 2)
    return made


# Session and user, the incident, the panels (parties, statements and their wording history),
# the timeline's providers (their history, the rows before the preview, the users they name).
DETAIL_QUERIES = factories.INCIDENT_PAGE_QUERIES
TIMELINE_QUERIES = 15


@pytest.mark.parametrize("events", [10, 200])
def test_the_incident_page_queries_do_not_grow_with_the_timeline(
    events, client_as, comms, manager, incident, django_assert_max_num_queries
):
    made = make_events(incident, comms, manager, events)
    client = client_as(manager)

    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(incident.get_absolute_url())

    assert len(response.context["timeline"]) == min(30, made)
    assert response.context["timeline_has_more"] == (made > 30)


@pytest.mark.parametrize("events", [10, 200])
def test_the_timeline_page_queries_do_not_grow_with_the_timeline(
    events, client_as, comms, manager, incident, django_assert_max_num_queries
):
    made = make_events(incident, comms, manager, events)
    client = client_as(manager)

    with django_assert_max_num_queries(TIMELINE_QUERIES):
        response = client.get(timeline_url(incident))

    page = response.context["page"]
    assert page.paginator.count == made
    assert len(page.object_list) == min(made, 100)
    kinds = {e.kind for e in page.object_list}
    assert {"party", "incident", "statement", "review", "publication"} <= kinds


@pytest.mark.parametrize("events", [10, 200])
def test_a_filtered_timeline_queries_no_more(
    events, client_as, comms, manager, incident, django_assert_max_num_queries
):
    make_events(incident, comms, manager, events)
    client = client_as(manager)

    with django_assert_max_num_queries(TIMELINE_QUERIES):
        response = client.get(timeline_url(incident, "?kind=review"))

    assert {e.kind for e in response.context["page"].object_list} == {"review"}
