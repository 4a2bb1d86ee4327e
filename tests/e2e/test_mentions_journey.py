"""Watching the conversation in the browser: Comms import a listening tool's CSV export (the
import runs in the background worker and its page follows it without a reload), link mentions
from the inbox to an incident, and see them on the incident's chart. The new pages pass axe."""

import re
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from monitoring.models import Mention
from tests.e2e.test_accessibility import serious_violations
from tests.factories import make_comms, make_incident, make_mention


def export(now):
    rows = [
        ("501", "Twitter", "@ann", "The app keeps crashing at checkout", "negative", 900),
        ("502", "Reddit", "u/bob", "Checkout broken for anyone else?", "neutral", 300),
        ("503", "Twitter", "@cy", "Lovely weather today", "positive", 50),
    ]
    lines = ["Post ID,Network,Author,Content,Date,Sentiment,Reach"]
    # All in the same hour (the last whole one), so that the chart has one row whatever the
    # time the test runs (20 minutes ago split them when run at twenty past).
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    for n, (pid, network, author, text, sentiment, reach) in enumerate(rows):
        posted = (hour + timedelta(minutes=10 + n)).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{pid},{network},{author},{text},{posted},{sentiment},{reach}")
    return ("\n".join(lines) + "\n").encode()


def test_comms_import_a_csv_link_mentions_from_the_inbox_and_see_the_chart(
    page, live_server, sign_in, settings, tmp_path
):
    settings.MENTION_IMPORT_DIR = tmp_path
    # The incident's mentions are read again every second instead of every minute.
    settings.CLOCK_REFRESH_SECONDS = 1
    comms = make_comms()
    incident = make_incident(
        comms, title="Checkout outage", tracking_terms="#nothingyet", platforms=["x"]
    )
    sign_in(page, comms)

    # Upload, with the columns guessed from their names.
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("link", name="Import mentions from CSV").click()
    page.get_by_label("CSV file").set_input_files(
        {"name": "brandwatch.csv", "mimeType": "text/csv", "buffer": export(timezone.now())}
    )
    page.get_by_label("Source").fill("Brandwatch")
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_role("heading", name="Which column holds what?")).to_be_visible()
    assert serious_violations(page) == []
    expect(page.get_by_label("Text")).to_have_value("Content")
    page.get_by_role("button", name="Import 3 lines").click()

    # Queued until the worker runs; the page follows the import by itself.
    status = page.get_by_test_id("import-status")
    expect(status).to_contain_text("Waiting for the background worker")
    assert serious_violations(page) == []
    page.evaluate("window.stillTheSamePage = true")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    expect(status).to_contain_text("Finished", timeout=15_000)
    expect(page.get_by_test_id("import-created")).to_have_text("3")
    assert page.evaluate("window.stillTheSamePage") is True

    # Triage: two of the three are about the outage.
    page.get_by_role("link", name="Open the inbox").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label(re.compile(r"Select the mention by @ann")).check()
    page.get_by_label(re.compile(r"Select the mention by u/bob")).check()
    page.get_by_label("Open incident").select_option(
        label=f"{incident.reference} · Checkout outage"
    )
    page.get_by_role("button", name="Link to the incident").click()
    expect(page.get_by_role("status").filter(has_text="2 mentions linked")).to_be_visible()
    expect(page.get_by_text("Lovely weather today")).to_be_visible()
    expect(page.get_by_text("The app keeps crashing at checkout")).to_have_count(0)

    # The incident's chart and its table.
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    mentions = page.get_by_role("region", name="Mentions", exact=True)
    chart = mentions.get_by_role("img", name=re.compile("Mentions per hour by sentiment"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect[fill^='url(#mention-chart-']")).to_have_count(2)
    expect(mentions.get_by_test_id("mention-table")).to_contain_text("2")
    expect(mentions).to_contain_text("The app keeps crashing at checkout")
    assert serious_violations(page) == []

    # A mention arriving meanwhile shows without a reload.
    page.evaluate("window.stillTheSamePage = true")
    make_mention(
        incident,
        text="Checkout still down for me",
        sentiment_label="negative",
        posted_at=timezone.now() - timedelta(minutes=1),
    )
    expect(mentions).to_contain_text("Checkout still down for me", timeout=10_000)
    expect(mentions).to_contain_text("(3 in all)")
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_role("link", name=re.compile("All mentions")).click()
    expect(page.get_by_role("list", name="Linked mentions").get_by_role("listitem")).to_have_count(
        3
    )
    assert serious_violations(page) == []
    linked = set(Mention.objects.filter(incident=incident).values_list("external_id", flat=True))
    assert {"501", "502"} < linked
    assert Incident.objects.get(pk=incident.pk).mentions.count() == 3
    assert reverse("monitoring:mentions", args=[incident.reference]) in page.url
