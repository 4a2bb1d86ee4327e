"""The optional read replica (DATABASE_REPLICA_URL): the reports and their CSV, the lessons search
and the incident export read from it; everything else, and every write, stays on the default
database; without it, all reads the default database as before."""

import re

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis.replica import REPLICA, PrimaryRouter, reading_database
from incidents.models import Incident, PostMortem
from responses.models import Statement
from tests import factories

ON_BOTH = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])

# The tables the reading pages read: on the replica when there is one, never on the default.
DATA_TABLES = re.compile(
    r'"?(incidents_incident|incidents_postmortem|responses_statement|responses_progressupdate'
    r'|responses_actionitem)"?'
)


@pytest.fixture
def replica(settings):
    """The replica configured: the suite's "replica" alias is a TEST MIRROR of the default
    database (tests/conftest.py), on a connection of its own that sees only committed rows, as
    a real replica does; hence the committing test database (ON_BOTH)."""
    settings.DATABASE_REPLICA_URL = "postgres://replica.example.com/crisis"
    return connections[REPLICA]


@pytest.fixture
def history(comms):
    """A closed incident with a published statement, an action item and a submitted
    post-mortem, detected today."""
    incident = factories.make_incident(comms, title="Parcels late in the north")
    factories.make_statement(
        incident, comms, status=Statement.Status.PUBLISHED, kind=Statement.Kind.ACKNOWLEDGEMENT
    )
    factories.make_action_item(incident)
    factories.walk_to(incident, Incident.Status.RESOLVED)
    PostMortem.objects.create(
        incident=incident,
        **factories.POSTMORTEM_TEXT,
        completed_at=timezone.now(),
        completed_by=comms,
    )
    return incident


def read(client, url):
    """GET ``url`` (a streamed download read to its end), capturing the queries of each
    database: ``(response, body, default's SQL, replica's SQL)``."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = client.get(url)
        if response.streaming:
            body = b"".join(response.streaming_content).decode()
        else:
            body = response.content.decode()
    return response, body, [q["sql"] for q in on_default], [q["sql"] for q in on_replica]


def tables(queries):
    return {match.group(1) for sql in queries for match in DATA_TABLES.finditer(sql)}


@pytest.mark.parametrize(
    ("url", "expected_tables", "shown"),
    [
        (
            reverse("responses:report"),
            {
                "incidents_incident",
                "responses_statement",
                "responses_progressupdate",
                "responses_actionitem",
            },
            "1 incident",
        ),
        (
            reverse("responses:report-export"),
            {
                "incidents_incident",
                "responses_statement",
                "responses_progressupdate",
                "responses_actionitem",
            },
            "Negative comments,1",
        ),
        (
            reverse("incidents:lessons") + "?q=carrier",
            {"incidents_postmortem", "incidents_incident"},
            "Parcels late in the north",
        ),
        (
            reverse("incidents:export") + "?show=all",
            {"incidents_incident"},
            "Parcels late in the north",
        ),
    ],
)
@ON_BOTH
def test_the_reading_pages_read_the_replica_when_there_is_one(
    client_as, viewer, history, replica, url, expected_tables, shown
):
    client = client_as(viewer)

    response, body, on_default, on_replica = read(client, url)

    assert response.status_code == 200
    assert shown in body
    assert tables(on_replica) == expected_tables
    assert not tables(on_default), on_default  # sessions and the signed-in user only
    # Reads only (a streamed export reads through a server-side cursor on PostgreSQL).
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [sql for sql in on_replica if sql.lstrip().upper().startswith(writes)]


@ON_BOTH
def test_other_pages_read_the_default_database_even_with_a_replica(
    client_as, viewer, history, replica
):
    client = client_as(viewer)

    response, _body, on_default, on_replica = read(client, history.get_absolute_url())

    assert response.status_code == 200
    assert "incidents_incident" in tables(on_default)
    assert on_replica == []


@ON_BOTH
def test_a_record_read_from_the_replica_is_saved_to_the_default_database(viewer, replica):
    from django.contrib.auth import get_user_model

    person = get_user_model().objects.using(REPLICA).get(pk=viewer.pk)
    person.first_name = "Vera"

    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        person.save()

    assert any(q["sql"].startswith("UPDATE") for q in on_default)
    assert len(on_replica) == 0
    assert get_user_model().objects.get(pk=viewer.pk).first_name == "Vera"


def test_the_replica_is_never_migrated():
    router = PrimaryRouter()

    assert router.allow_migrate(DEFAULT_DB_ALIAS, "incidents")
    assert not router.allow_migrate(REPLICA, "incidents")


def test_without_a_replica_everything_reads_the_default_database(client_as, viewer, history):
    assert reading_database() == DEFAULT_DB_ALIAS

    # Any query on the replica would fail this test: its alias is not among the test's databases.
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default:
        response = client_as(viewer).get(reverse("responses:report"))

    assert response.context["incident_count"] == 1
    assert "responses_statement" in tables(q["sql"] for q in on_default)
