"""The incident search (IncidentQuerySet.search): words by their start, through the database's
full-text index (PostgreSQL: GIN over a text search vector; SQLite: an FTS5 table kept by
triggers), the same on the list, the export and the admin. The text is read by crisis.search
(tests/crisis/test_search.py)."""

import pytest
from django.db import connection
from django.urls import reverse

from incidents.models import Incident
from incidents.models.incident_queryset import SQLITE_SEARCH_TABLE
from tests import factories


def found(text):
    return sorted(Incident.objects.search(text).values_list("title", flat=True))


@pytest.fixture
def three(comms):
    factories.make_incident(comms, title="Refunds delayed after the sale", tracking_terms="")
    factories.make_incident(
        comms, title="Courier strike", summary="Customers ask for a refund.", tracking_terms=""
    )
    factories.make_incident(
        comms, title="Fake giveaway", public_title="Giveaway scam", tracking_terms="#freegift"
    )


def test_it_finds_words_by_their_start_in_any_searched_field(three):
    assert found("refund") == ["Courier strike", "Refunds delayed after the sale"]
    assert found("REFUND courier") == ["Courier strike"]
    assert found("scam") == ["Fake giveaway"]
    assert found("freegi") == ["Fake giveaway"]
    assert found("fund") == []  # the start of a word, not its middle


def test_it_finds_a_reference(three):
    reference = Incident.objects.get(title="Courier strike").reference

    assert found(reference) == ["Courier strike"]


def test_nothing_but_punctuation_finds_nothing_and_blank_finds_all(three):
    assert found("!!! ???") == []
    assert len(found("   ")) == 3


def test_quotes_and_search_syntax_are_words_not_commands(three):
    assert found('refund" OR "giveaway') == []
    assert found("refund* & giveaway:*") == []
    assert found("(refund)") == ["Courier strike", "Refunds delayed after the sale"]


def test_a_phrase_wants_its_words_in_a_row_each_by_its_start(three):
    assert found('"refunds delay"') == ["Refunds delayed after the sale"]
    assert found('"delayed refunds"') == []
    assert found('"giveaway scam"') == ["Fake giveaway"]  # the public title


def test_words_and_phrases_can_be_left_out(three):
    assert found("refund -courier") == ["Refunds delayed after the sale"]
    assert found('refund -"courier strike"') == ["Refunds delayed after the sale"]
    assert found('refund -"strike courier"') == ["Courier strike", "Refunds delayed after the sale"]
    assert found("-refund") == ["Fake giveaway"]
    assert found("-refund -fake") == []


def test_a_reference_left_out_is_left_out_as_a_whole(three):
    reference = Incident.objects.get(title="Courier strike").reference

    assert found(f"-{reference}") == ["Fake giveaway", "Refunds delayed after the sale"]


def test_text_in_other_scripts_is_found_by_the_start_of_its_words(comms):
    factories.make_incident(comms, title="Возврат денег задерживается", tracking_terms="")
    factories.make_incident(comms, title="Η ΕΠΙΣΤΡΟΦΗ καθυστερεί", tracking_terms="")

    assert found("возвр") == ["Возврат денег задерживается"]
    assert found("ВОЗВРАТ -денег") == []
    assert found("επιστρ") == ["Η ΕΠΙΣΤΡΟΦΗ καθυστερεί"]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        '"courier stri',
        "-",
        "--refund",
        "*",
        "refund*",
        "NEAR(refund courier)",
        "refund NEAR courier",
        "refund:*",
        "refund & courier",
        "refund | scam",
        "!refund",
        "refund OR scam",
        "'; DROP TABLE incidents_incident; --",
        "\\",
        "%_",
        "返金",
        "refund " * 400,
        "x" * 600,
    ],
)
def test_odd_text_is_never_an_error_nor_an_operator(three, text):
    result = found(text)

    # The punctuation only separates words: each word is wanted, "or" and "near" included.
    wanted = {
        '"courier stri': ["Courier strike"],  # an unclosed quote runs to the end
        "--refund": ["Fake giveaway"],
        "refund*": ["Courier strike", "Refunds delayed after the sale"],
        "refund:*": ["Courier strike", "Refunds delayed after the sale"],
        "!refund": ["Courier strike", "Refunds delayed after the sale"],
        "refund " * 400: ["Courier strike", "Refunds delayed after the sale"],
        "refund & courier": ["Courier strike"],
    }
    assert result == wanted.get(text, [])


def test_an_edit_is_found_at_once_and_the_old_words_no_longer(comms, three):
    incident = Incident.objects.get(title="Courier strike")
    incident.title, incident.summary = "Basement flood", "Water everywhere."
    incident.save_edit(by=comms, expected_version=incident.version, fields=["title", "summary"])

    assert found("basement") == ["Basement flood"]
    assert found("courier") == []
    assert found("refund") == ["Refunds delayed after the sale"]


def test_a_declared_incident_is_found(comms):
    factories.make_incident(comms, title="Brand new outage")

    assert found("outage") == ["Brand new outage"]


def test_the_list_and_the_admin_search_alike(client_as, viewer, admin, three):
    listed = client_as(viewer).get(reverse("incidents:list") + "?q=refund&show=all")
    admin_page = client_as(admin).get(reverse("admin:incidents_incident_changelist") + "?q=refund")

    titles = sorted(i.title for i in listed.context["page"].object_list)
    assert titles == ["Courier strike", "Refunds delayed after the sale"]
    assert sorted(i.title for i in admin_page.context["cl"].result_list) == titles


@pytest.mark.parametrize("text", ["refund", "refund courier", '"refund delay"', "refund -scam"])
def test_the_search_reads_the_full_text_index(three, text):
    """The plan, not the timing: the query goes through the index made for it."""
    assert_through_the_index(Incident.objects.search(text))


def test_leaving_words_out_only_finds_through_the_index_those_to_leave_out(three):
    # No index finds what a text lacks: the index finds the incidents holding the words, and
    # the rest are read without building a text search vector for each.
    assert_through_the_index(Incident.objects.search("-refund"))


def assert_through_the_index(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Three rows: left alone, the planner may walk the ordering index and filter. With
            # plain scans off it must show that the search expression can use its GIN index
            # (a bitmap scan), which it can only if the query's expression is the index's.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")
            assert "incident_search" in plan
            # Nor a query of nothing but words left out, which the GIN index reads whole.
            assert "@@ '!" not in plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert SQLITE_SEARCH_TABLE in plan
            assert "VIRTUAL TABLE INDEX" in plan


def test_the_search_survives_a_migration_that_rebuilds_the_incidents_table(comms, three):
    """SQLite drops a table's triggers when a migration rebuilds it; after migrate they come
    back (incidents.apps), and what changed meanwhile is indexed again."""
    from incidents.apps import restore_search_triggers
    from incidents.migrations import _search

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for action in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER {_search.TABLE}_{action}")
        factories.make_incident(comms, title="Declared while the triggers were gone")
        assert found("gone") == []

    restore_search_triggers(using=connection.alias)
    factories.make_incident(comms, title="Declared after migrate")

    if connection.vendor == "sqlite":
        assert found("gone") == ["Declared while the triggers were gone"]
    assert found("after migrate") == ["Declared after migrate"]
