"""The CSV import on a bad day: a full disk while the upload is written, a database refusing
writes in the worker (SQLite's "database or disk is full", PostgreSQL's "could not extend
file"), and the import retried from where it stopped."""

import errno
import pathlib

import pytest
from django.db import OperationalError
from django.urls import reverse

from incidents import imports, mentions
from incidents.models import CsvColumnMapping, Mention, MentionImport
from tests import factories
from tests.factories import messages_shown, page_text
from tests.incidents.test_mention_import import (  # noqa: F401 (fixtures used by name)
    MAPPING,
    frozen_time,
    import_dir,
    run_worker,
    start,
    upload,
    worker_keeps_the_test_connection,
)

HEADER = "Post ID,Network,Author,Content,Date,Sentiment,Reach,Link\n"
FIVE_LINES = HEADER + "".join(
    f"{n},Twitter,@ann,Parcel late {n},2026-03-14 09:0{n}:00,negative,10,\n" for n in range(1, 6)
)
DATABASE_FULL = {
    "sqlite": "database or disk is full",
    "postgresql": 'could not extend file "base/16384/24576": No space left on device',
}


@pytest.fixture
def full_disk_on_write(monkeypatch, settings):
    """Writing into the imports directory fails with ENOSPC."""
    real_open = pathlib.Path.open

    class FullFile:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def open_(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if "w" in mode and path.parent == settings.MENTION_IMPORT_DIR:
            return FullFile(handle)
        return handle

    monkeypatch.setattr(pathlib.Path, "open", open_)


def test_a_full_disk_while_the_upload_is_written_says_so_by_the_file_and_keeps_nothing(
    client_as, comms, settings, full_disk_on_write
):
    response = upload(client_as(comms), FIVE_LINES, source="Brandwatch")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["file"] == [imports.DISK_FULL_UPLOAD]
    assert "The server's disk is full" in page_text(response)
    assert form["source_name"].value() == "Brandwatch"  # what was typed is still there
    assert not MentionImport.objects.exists()
    assert list(settings.MENTION_IMPORT_DIR.iterdir()) == []


def test_the_same_form_is_accepted_once_there_is_room_again(
    client_as, comms, settings, monkeypatch
):
    client = client_as(comms)
    token = factories.once_token()
    monkeypatch.setattr(
        MentionImport.objects,
        "create",
        _raising(OperationalError(DATABASE_FULL["sqlite"])),
    )
    refused = upload(client, FIVE_LINES, once_token=token)
    assert refused.context["form"].errors["file"] == [imports.DISK_FULL_UPLOAD]
    # The file written before the refusal is removed.
    assert list(settings.MENTION_IMPORT_DIR.iterdir()) == []

    monkeypatch.undo()
    accepted = upload(client, FIVE_LINES, once_token=token)

    assert accepted.status_code == 302
    assert MentionImport.objects.count() == 1


def test_a_database_full_when_starting_keeps_the_mapping_in_the_form(client_as, comms, monkeypatch):
    client = client_as(comms)
    upload(client, FIVE_LINES)
    mention_import = MentionImport.objects.get()
    mapping = {**MAPPING, "column_author": ""}  # a choice of the person's, not the guess
    monkeypatch.setattr(
        CsvColumnMapping, "remember", _raising(OperationalError(DATABASE_FULL["sqlite"]))
    )

    response = start(client, mention_import, mapping)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [imports.DISK_FULL_DATABASE]
    assert form["column_author"].value() == ""
    assert form["column_text"].value() == "Content"
    assert factories.reload(mention_import).status == MentionImport.Status.MAPPING


@pytest.fixture
def database_full_on_second_chunk(monkeypatch):
    """Chunks of two lines; the second chunk's INSERT runs, then the database refuses (as a
    full disk does at commit time), so nothing of that chunk may stay."""
    from django.db import connection

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    real_insert = mentions._insert
    calls = []

    def insert(values, **kwargs):
        calls.append(len(values))
        created = real_insert(values, **kwargs)
        if len(calls) == 2:
            raise OperationalError(DATABASE_FULL[connection.vendor])
        return created

    monkeypatch.setattr(mentions, "_insert", insert)
    return calls


def test_a_database_full_in_the_worker_fails_the_import_with_whole_chunks_only(
    client_as, comms, django_capture_on_commit_callbacks, database_full_on_second_chunk
):
    client = client_as(comms)
    upload(client, FIVE_LINES)
    mention_import = MentionImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import)

    run_worker()

    failed = factories.reload(mention_import)
    assert failed.status == MentionImport.Status.FAILED
    assert "The database's disk is full: the lines up to line 3 are in" in failed.failure
    # The first chunk is stored and counted; the second, refused half-way, left nothing.
    assert sorted(Mention.objects.values_list("external_id", flat=True)) == ["1", "2"]
    assert (failed.processed_rows, failed.created_count) == (2, 2)
    assert failed.path.exists()  # kept for the retry
    page = client.get(failed.get_absolute_url())
    assert failed.failure in page_text(page)
    assert reverse("incidents:import-retry", args=[failed.pk]) in page_text(page)


def test_a_failed_import_is_retried_from_where_it_stopped(
    client_as, comms, django_capture_on_commit_callbacks, database_full_on_second_chunk
):
    client = client_as(comms)
    upload(client, FIVE_LINES)
    mention_import = MentionImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import)
    run_worker()  # fails on the second chunk; the database takes writes again after

    retry = reverse("incidents:import-retry", args=[mention_import.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
        again = client.post(retry, follow=True)  # sent twice: queued once
    run_worker()

    done = factories.reload(mention_import)
    assert done.status == MentionImport.Status.DONE
    assert (done.created_count, done.duplicate_count, done.rejected_count) == (5, 0, 0)
    assert Mention.objects.count() == 5
    assert not done.path.exists()
    assert ("info", "This import cannot be started again.") in messages_shown(again)


def test_an_import_that_did_not_fail_cannot_be_retried(
    client_as, comms, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    upload(client, FIVE_LINES)
    mention_import = MentionImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import)
    run_worker()

    response = client.post(reverse("incidents:import-retry", args=[mention_import.pk]), follow=True)

    assert ("info", "This import cannot be started again.") in messages_shown(response)
    assert factories.reload(mention_import).status == MentionImport.Status.DONE
    assert Mention.objects.count() == 5


def test_a_file_that_cannot_be_read_is_removed_and_not_offered_again(
    client_as, comms, django_capture_on_commit_callbacks, monkeypatch
):
    import csv

    client = client_as(comms)
    upload(client, FIVE_LINES)
    mention_import = MentionImport.objects.get()

    def broken(_import):
        raise csv.Error("field larger than field limit")
        yield

    monkeypatch.setattr(imports, "rows", broken)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import)
    run_worker()

    failed = factories.reload(mention_import)
    assert failed.status == MentionImport.Status.FAILED
    assert not failed.path.exists()
    assert not failed.can_retry


def _raising(error):
    def fail(*args, **kwargs):
        raise error

    return fail
