"""The inbox: mentions no incident claimed, filtered, paged by cursor, and the actions on a
selection (link, dismiss, declare an incident from them), per role; the offer to link the inbox's
matches after an incident's tracking terms change."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from monitoring.models import Mention, MentionLinkEvent
from tests import factories
from tests.factories import form_values, make_mention, messages_shown, page_text

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
INBOX = reverse("monitoring:inbox")
ACT = reverse("monitoring:inbox-act")


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def open_incident(comms):
    return factories.make_incident(comms, tracking_terms="#parcelgate")


def inbox_mentions(n, **overrides):
    return [
        make_mention(
            text=f"Mention number {i}",
            posted_at=NOW - timedelta(minutes=i),
            **overrides,
        )
        for i in range(n)
    ]


def test_the_inbox_shows_only_mentions_waiting_for_triage(client_as, viewer, open_incident):
    waiting = make_mention(text="Where is my parcel?")
    make_mention(open_incident, text="Linked already")
    make_mention(text="Dismissed already", dismissed_at=NOW)

    response = client_as(viewer).get(INBOX)

    assert [m.pk for m in response.context["page"].rows] == [waiting.pk]
    text = page_text(response)
    assert "Where is my parcel?" in text
    assert "Linked already" not in text and "Dismissed already" not in text


def test_a_viewer_reads_the_inbox_without_the_actions(client_as, viewer):
    make_mention()

    response = client_as(viewer).get(INBOX)

    assert 'name="mention"' not in response.content.decode()
    assert "Link to the incident" not in page_text(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"platform": "reddit"}, ["reddit post"]),
        ({"sentiment": "negative"}, ["an angry customer"]),
        ({"period": "1h"}, ["reddit post", "an angry customer"]),
        ({"q": "ANGRY customer"}, ["an angry customer"]),
        # The words are read as every search reads them (crisis.search): by their start.
        ({"q": "ang"}, ["an angry customer"]),
        ({"q": "ngry"}, []),
        ({"q": '"angry cust"'}, ["an angry customer"]),
        ({"q": "-angry"}, ["reddit post", "old news"]),
        ({"q": "#reddit OR"}, []),
    ],
)
def test_the_inbox_filters_by_platform_sentiment_period_and_words(
    client_as, viewer, query, expected
):
    make_mention(platform="reddit", text="reddit post", posted_at=NOW - timedelta(minutes=5))
    make_mention(
        text="an angry customer",
        sentiment_label="negative",
        sentiment_score=-0.8,
        posted_at=NOW - timedelta(minutes=30),
    )
    make_mention(text="old news", posted_at=NOW - timedelta(days=3))

    response = client_as(viewer).get(INBOX, query)

    assert [m.text for m in response.context["page"].rows] == expected


def test_a_filter_not_understood_is_left_out_with_a_message(client_as, viewer):
    make_mention(text="kept")

    response = client_as(viewer).get(INBOX, {"platform": "myspace"})

    assert [m.text for m in response.context["page"].rows] == ["kept"]
    assert "Some filters were not understood" in page_text(response)


def test_the_inbox_pages_by_cursor_without_gaps_or_repeats(client_as, viewer):
    made = inbox_mentions(60)
    # Two mentions posted at the same moment are told apart by their id.
    made.append(make_mention(text="twin", posted_at=made[49].posted_at))
    client = client_as(viewer)

    first = client.get(INBOX).context["page"]
    second = client.get(INBOX, {"after": first.next_cursor}).context["page"]

    seen = [m.pk for m in first.rows] + [m.pk for m in second.rows]
    assert len(first.rows) == 50 and len(second.rows) == 11
    assert sorted(seen) == sorted(m.pk for m in made)
    assert second.next_cursor is None


@pytest.mark.parametrize("cursor", ["nonsense", "1-", "99999999999999999999999-1", "-1-2"])
def test_a_malformed_cursor_shows_the_first_page(client_as, viewer, cursor):
    inbox_mentions(3)

    response = client_as(viewer).get(INBOX, {"after": cursor})

    assert response.status_code == 200
    assert len(response.context["page"].rows) == 3


@pytest.mark.parametrize("count", [2, 60])
def test_the_inbox_queries_do_not_grow_with_mentions(
    count, client_as, comms, open_incident, django_assert_max_num_queries
):
    inbox_mentions(count)
    client = client_as(comms)
    client.get(INBOX)  # the session's first read

    # Session, user, permissions, the page of mentions, the open incidents.
    with django_assert_max_num_queries(6):
        response = client.get(INBOX)

    assert len(response.context["page"].rows) == min(count, 50)


def test_comms_link_selected_mentions_to_an_open_incident(client_as, comms, open_incident):
    chosen = inbox_mentions(3)
    left = make_mention(text="not chosen")

    response = client_as(comms).post(
        ACT,
        {
            "mention": [m.pk for m in chosen],
            "incident": open_incident.pk,
            "action": "link",
            "query": "platform=x&bogus=1",
        },
    )

    assert response.url == INBOX + "?platform=x"
    assert set(open_incident.mentions.values_list("pk", flat=True)) == {m.pk for m in chosen}
    assert factories.reload(left).incident is None
    events = MentionLinkEvent.objects.filter(action="linked")
    assert {(e.mention_id, e.incident_id, e.by_id) for e in events} == {
        (m.pk, open_incident.pk, comms.pk) for m in chosen
    }
    assert ("success", f"3 mentions linked to {open_incident.reference}.") in messages_shown(
        client_as(comms).get(response.url)
    )


def test_sending_the_link_twice_links_once(client_as, comms, open_incident):
    chosen = inbox_mentions(2)
    client = client_as(comms)
    data = {"mention": [m.pk for m in chosen], "incident": open_incident.pk, "action": "link"}

    client.post(ACT, data)
    response = client.post(ACT, data, follow=True)

    assert MentionLinkEvent.objects.count() == 2
    assert ("info", "Those mentions had already left the inbox.") in messages_shown(response)


def test_a_mention_linked_meanwhile_elsewhere_is_not_taken_from_its_incident(
    client_as, comms, open_incident
):
    other = factories.make_incident(comms, title="Other")
    mention = make_mention(other)

    client_as(comms).post(
        ACT, {"mention": [mention.pk], "incident": open_incident.pk, "action": "link"}
    )

    assert factories.reload(mention).incident == other


def test_a_manager_dismisses_selected_mentions(client_as, manager):
    chosen = inbox_mentions(2)

    client_as(manager).post(ACT, {"mention": [m.pk for m in chosen], "action": "dismiss"})

    assert Mention.objects.inbox().count() == 0
    assert MentionLinkEvent.objects.filter(action="dismissed", by=manager).count() == 2


def test_linking_to_a_closed_incident_is_refused(client_as, manager, comms):
    closed = factories.make_incident(comms, status=Incident.Status.CLOSED)
    mention = make_mention()

    response = client_as(manager).post(
        ACT, {"mention": [mention.pk], "incident": closed.pk, "action": "link"}, follow=True
    )

    assert factories.reload(mention).incident is None
    assert ("danger", "Choose the open incident to link the mentions to.") in messages_shown(
        response
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "link"}, "Select at least one mention first."),
        ({"mention": ["x", "-1"], "action": "dismiss"}, "Select at least one mention first."),
        ({"mention": ["1"], "action": "explode"}, "Choose what to do with the selected mentions."),
    ],
)
def test_an_action_without_a_selection_or_a_verb_changes_nothing(client_as, comms, data, message):
    make_mention()

    response = client_as(comms).post(ACT, data, follow=True)

    assert ("danger", message) in messages_shown(response)
    assert Mention.objects.inbox().count() == 1
    assert not MentionLinkEvent.objects.exists()


@pytest.mark.parametrize("role", ["viewer", None])
def test_a_viewer_or_a_stranger_cannot_act_on_the_inbox(client_as, viewer, open_incident, role):
    mention = make_mention()
    user = viewer if role else None

    response = client_as(user).post(
        ACT, {"mention": [mention.pk], "incident": open_incident.pk, "action": "link"}
    )

    assert response.status_code in (302, 403)
    if role:
        assert response.status_code == 403
    else:
        assert response.url.startswith(reverse("login"))
    assert factories.reload(mention).incident is None
    assert not MentionLinkEvent.objects.exists()


def test_the_inbox_action_refuses_get(client_as, comms):
    assert client_as(comms).get(ACT).status_code == 405


def test_an_incident_declared_from_the_inbox_is_prefilled_and_takes_the_mentions(client_as, comms):
    first = make_mention(
        platform="reddit",
        text="Did anyone else get charged twice? #DoubleCharge @acme",
        posted_at=NOW - timedelta(hours=2),
    )
    second = make_mention(text="Charged twice again #doublecharge", posted_at=NOW)
    client = client_as(comms)

    response = client.post(ACT, {"mention": [first.pk, second.pk], "action": "declare"})
    form_page = client.get(response.url)

    values = form_values(form_page, "from_mentions")
    assert values["title"] == "Conversation about #doublecharge, @acme"
    assert values.getlist("platforms") == ["x", "reddit"]
    assert values["tracking_terms"] == "#doublecharge, @acme"
    assert values["from_mentions"] == f"{first.pk},{second.pk}"
    assert values["detected_at"] == "2026-03-14T10:00"

    values["category"] = Incident.Category.SERVICE_FAILURE
    declared = client.post(reverse("incidents:create"), dict(values.lists()), follow=True)

    incident = Incident.objects.get(title="Conversation about #doublecharge, @acme")
    assert set(incident.mentions.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert ("success", "2 mentions from the inbox linked to it.") in messages_shown(declared)
    assert MentionLinkEvent.objects.filter(incident=incident, by=comms).count() == 2


def test_a_viewer_cannot_prefill_the_declare_form_from_mentions(client_as, viewer):
    mention = make_mention()

    response = client_as(viewer).get(reverse("incidents:create"), {"from_mentions": mention.pk})

    assert response.status_code == 403


def test_changing_the_terms_offers_to_link_the_inbox_matches(client_as, comms, open_incident):
    matching = make_mention(text="Refund delays again #RefundGate")
    make_mention(text="Nothing to see")
    client = client_as(comms)
    edit = client.get(reverse("incidents:edit", args=[open_incident.reference]))
    values = form_values(edit, "tracking_terms")
    values["tracking_terms"] = "#refundgate"

    page = client.post(
        reverse("incidents:edit", args=[open_incident.reference]), dict(values.lists()), follow=True
    )

    assert "1 mention in the inbox matches the new tracking terms." in page_text(page)
    link = reverse("monitoring:mentions-link-matching", args=[open_incident.reference])
    assert f'action="{link}"' in page.content.decode()
    response = client.post(link, {"decision": "link"}, follow=True)

    assert factories.reload(matching).incident == open_incident
    assert ("success", "1 mention from the inbox linked.") in messages_shown(response)
    assert "match the new tracking terms" not in page_text(response)


def test_the_offer_is_not_made_when_the_terms_did_not_change(client_as, comms, open_incident):
    make_mention(text="#parcelgate is trending")
    client = client_as(comms)
    edit = client.get(reverse("incidents:edit", args=[open_incident.reference]))
    values = form_values(edit, "tracking_terms")
    values["title"] = "A new title"

    page = client.post(
        reverse("incidents:edit", args=[open_incident.reference]), dict(values.lists()), follow=True
    )

    assert "match the new tracking terms" not in page_text(page)
    assert "matches the new tracking terms" not in page_text(page)


def test_not_now_withdraws_the_offer_and_links_nothing(client_as, comms, open_incident):
    mention = make_mention(text="#refundgate")
    client = client_as(comms)
    session = client.session
    session["mention_link_offers"] = [open_incident.reference]
    session.save()

    client.post(
        reverse("monitoring:mentions-link-matching", args=[open_incident.reference]),
        {"decision": "skip"},
    )

    assert factories.reload(mention).incident is None
    assert client.session["mention_link_offers"] == []


def test_on_a_phone_the_inbox_filters_fold_behind_a_button_that_counts_them(client_as, viewer):
    url = reverse("monitoring:inbox")
    plain = page_text(client_as(viewer).get(url))
    filtered = page_text(client_as(viewer).get(url, {"platform": "x", "sentiment": "negative"}))
    refused = page_text(client_as(viewer).get(url, {"platform": "nope"}))

    assert 'id="mention-filters" class="collapse collapse-md-open"' in plain
    assert ">Filters</button>" in plain
    assert 'Filters <span class="badge text-bg-primary">2<span class="visually-hidden"> in use' in (
        filtered
    )
    assert 'id="mention-filters" class="collapse collapse-md-open show"' in refused
