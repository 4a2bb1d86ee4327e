"""The apps raise their events through the outbound pipeline: an incident declared, a public
update published, an import failed, each recorded with a link to its exact page, refused for
the chat when a drill, and sent by the worker the project already runs (`manage.py db_worker`)."""

import pytest
from django.core import mail

from crisis.outbound import EventKind
from crisis.outbound.models import DRILL_REFUSAL, ChatChannel, Delivery
from monitoring.models import MentionImport
from tests import factories
from tests.monitoring.test_mention_import import (  # noqa: F401 (fixtures used by name)
    HEADER,
    frozen_time,
    import_dir,
    run_worker,
    start,
    upload,
    worker_keeps_the_test_connection,
)
from tests.outbox import deliver

S = Delivery.Status


@pytest.fixture
def room(db):
    return ChatChannel.objects.create(
        name="Comms room",
        kind=ChatChannel.Kind.SLACK,
        url="http://127.0.0.1:9/hook",
        events=[EventKind.INCIDENT_DECLARED, EventKind.UPDATE_PUBLISHED, EventKind.IMPORT_FAILED],
        severities=["1", "2"],
    )


def test_declaring_an_incident_records_a_chat_delivery_linking_its_page(room, comms, settings):
    settings.SITE_URL = "https://desk.example.com"

    incident = factories.make_incident(comms, title="Checkout down", severity=2)

    row = Delivery.objects.get()
    assert (row.event, row.chat_channel, row.status) == (
        EventKind.INCIDENT_DECLARED,
        room,
        S.PENDING,
    )
    assert row.url == f"https://desk.example.com/incidents/{incident.reference}/"
    assert row.title == f"[{incident.reference}] Declared: Checkout down"
    assert "severity 2, negative comments, on X, Instagram" in row.text


def test_a_minor_incident_is_not_told_to_a_channel_wanting_the_grave_ones(room, comms):
    factories.make_incident(comms, severity=4)

    assert not Delivery.objects.exists()


def test_a_drill_is_refused_visibly(room, comms):
    factories.make_incident(comms, is_drill=True)

    row = Delivery.objects.get()
    assert (row.status, row.last_error, row.is_drill) == (S.REFUSED, DRILL_REFUSAL, True)
    assert row.title.startswith("[Drill] ")


def test_a_published_public_update_is_told_to_the_channel(
    room, comms, manager, django_capture_on_commit_callbacks
):
    incident = factories.make_incident(comms, severity=1)
    update = factories.make_update(incident, comms, kind="public")
    Delivery.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        update.publish(by=manager)

    row = Delivery.objects.get()
    assert row.event == EventKind.UPDATE_PUBLISHED
    assert row.url.endswith(update.get_absolute_url())
    assert update.body in row.text


def test_a_failed_import_mails_its_uploader_through_the_worker(
    room, client_as, comms, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    upload(client, HEADER + "1,Twitter,@ann,Late,2026-03-14 09:00:00,negative,10,\n")
    mention_import = MentionImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import)
    # The file turns unreadable between the upload and the worker (a field past csv's limit).
    mention_import.path.write_text(HEADER + '1,Twitter,@ann,"' + "x" * 200_000 + '",,,,\n')

    with django_capture_on_commit_callbacks(execute=True):
        run_worker()  # the import fails and queues its deliveries
    run_worker()  # the same worker sends them

    assert factories.reload(mention_import).status == MentionImport.Status.FAILED
    assert [m.to for m in mail.outbox] == [[comms.email]]
    assert mail.outbox[0].subject == "Import failed: Brandwatch"
    assert "field larger than field limit" in mail.outbox[0].body
    rows = {row.channel: row for row in Delivery.objects.all()}
    assert rows["mail"].status == S.SENT
    assert rows["chat"].url.endswith(mention_import.get_absolute_url())
    assert deliver().sent == 0
