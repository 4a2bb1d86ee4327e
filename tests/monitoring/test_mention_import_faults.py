"""The CSV import on a bad day: a full disk while the upload is written, a database refusing
writes in the worker (SQLite's "database or disk is full", PostgreSQL's "could not extend
file"), and the import retried from where it stopped."""

import errno
import pathlib
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.urls import reverse

from monitoring import imports, mentions
from monitoring.models import CsvColumnMapping, Mention, MentionImport
from monitoring.models.mention_import import (
    FAILED_IMPORT_FILE_KEPT,
    IMPORT_STALLED_AFTER,
    import_is_stalled,
)
from tests import factories
from tests.factories import messages_shown, page_text
from tests.monitoring.test_mention_import import (  # noqa: F401 (fixtures used by name)
    MAPPING,
    NOW,
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


def test_a_full_disk_while_django_stores_a_large_upload_says_so_by_the_file(
    client_as, comms, settings, tmp_path, monkeypatch
):
    """Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file first, while the
    CSRF check reads the form: a full disk there must not be a server error either."""
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    real_receive = TemporaryFileUploadHandler.receive_data_chunk

    def receive_until_full(self, raw_data, start):
        real_receive(self, raw_data[:10], start)  # a first piece lands in the temporary file
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", receive_until_full)

    response = upload(client_as(comms), FIVE_LINES, source="Brandwatch")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"file": [imports.DISK_FULL_UPLOAD]}
    assert form["source_name"].value() == "Brandwatch"
    assert not MentionImport.objects.exists()
    assert list((tmp_path / "uploads").iterdir()) == []  # the temporary copy is gone
    assert not any(settings.MENTION_IMPORT_DIR.glob("*"))


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
def queued(client_as, comms, django_capture_on_commit_callbacks):
    """FIVE_LINES uploaded by Comms, mapped and queued for the worker."""
    client = client_as(comms)
    upload(client, FIVE_LINES)
    mention_import = MentionImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import)
    return mention_import


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
    client_as, comms, queued, database_full_on_second_chunk
):
    run_worker()

    failed = factories.reload(queued)
    assert failed.status == MentionImport.Status.FAILED
    assert "The database's disk is full: the lines up to line 3 are in" in failed.failure
    # The first chunk is stored and counted; the second, refused half-way, left nothing.
    assert sorted(Mention.objects.values_list("external_id", flat=True)) == ["1", "2"]
    assert (failed.processed_rows, failed.created_count) == (2, 2)
    assert failed.path.exists()  # kept for the retry
    page = client_as(comms).get(failed.get_absolute_url())
    assert failed.failure in page_text(page)
    assert reverse("monitoring:import-retry", args=[failed.pk]) in page_text(page)


def test_a_failed_import_is_retried_from_where_it_stopped(
    client_as, comms, queued, django_capture_on_commit_callbacks, database_full_on_second_chunk
):
    run_worker()  # fails on the second chunk; the database takes writes again after
    client = client_as(comms)

    retry = reverse("monitoring:import-retry", args=[queued.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
        again = client.post(retry, follow=True)  # sent twice: queued once
    run_worker()

    done = factories.reload(queued)
    assert done.status == MentionImport.Status.DONE
    assert (done.created_count, done.duplicate_count, done.rejected_count) == (5, 0, 0)
    assert Mention.objects.count() == 5
    assert not done.path.exists()
    assert ("info", "This import cannot be started again.") in messages_shown(again)


def test_the_file_of_a_failed_import_is_kept_a_week_for_the_retry(
    queued, database_full_on_second_chunk
):
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(NOW, tick=False):
        run_worker()
    assert factories.reload(queued).can_retry

    with time_machine.travel(NOW + FAILED_IMPORT_FILE_KEPT - timedelta(minutes=1), tick=False):
        call_command("send_reminders", stdout=StringIO())
    assert factories.reload(queued).can_retry
    with time_machine.travel(NOW + FAILED_IMPORT_FILE_KEPT + timedelta(minutes=1), tick=False):
        call_command("send_reminders", stdout=StringIO())

    gone = factories.reload(queued)
    assert not gone.path.exists()
    assert not gone.can_retry
    assert gone.status == MentionImport.Status.FAILED


def test_an_import_that_did_not_fail_cannot_be_retried(client_as, comms, queued):
    run_worker()

    retry = reverse("monitoring:import-retry", args=[queued.pk])
    response = client_as(comms).post(retry, follow=True)

    assert ("info", "This import cannot be started again.") in messages_shown(response)
    assert factories.reload(queued).status == MentionImport.Status.DONE
    assert Mention.objects.count() == 5


def test_a_file_that_cannot_be_read_is_removed_and_not_offered_again(queued, monkeypatch):
    import csv

    def broken(_import):
        raise csv.Error("field larger than field limit")
        yield

    monkeypatch.setattr(imports, "rows", broken)
    run_worker()

    failed = factories.reload(queued)
    assert failed.status == MentionImport.Status.FAILED
    assert not failed.path.exists()
    assert not failed.can_retry


def _raising(error):
    def fail(*args, **kwargs):
        raise error

    return fail


# An import whose worker died


@pytest.fixture
def worker_dies_after_the_first_chunk(monkeypatch):
    """Chunks of two lines; the worker is killed (as by a restart) before its second chunk."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    real_chunk = imports._import_chunk
    calls = []

    def chunk(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_chunk(*args)

    monkeypatch.setattr(imports, "_import_chunk", chunk)


@pytest.fixture
def died(queued, worker_dies_after_the_first_chunk):
    """An import left "Importing" by its dead worker, two lines counted, at NOW."""
    with time_machine.travel(NOW, tick=False):
        run_worker()
    mention_import = factories.reload(queued)
    assert mention_import.status == MentionImport.Status.RUNNING
    assert mention_import.processed_rows == 2
    return mention_import


def test_an_import_without_progress_for_ten_minutes_shows_as_stalled(client_as, comms, died):
    client = client_as(comms)
    retry = reverse("monitoring:import-retry", args=[died.pk])

    with time_machine.travel(NOW + IMPORT_STALLED_AFTER - timedelta(seconds=1), tick=False):
        busy = page_text(client.get(died.get_absolute_url()))
        assert not factories.reload(died).is_stalled
    with time_machine.travel(NOW + IMPORT_STALLED_AFTER, tick=False):
        stalled = page_text(client.get(died.get_absolute_url()))
        listed = page_text(client.get(reverse("monitoring:import")))

    assert "Stalled" not in busy and retry not in busy
    assert "<strong>Stalled:</strong> no progress since" in stalled
    assert "Restart the import" in stalled and retry in stalled
    assert "Stalled" in listed


def test_a_running_import_is_not_restarted_before_it_stalls(client_as, comms, died):
    with time_machine.travel(NOW + timedelta(minutes=5)):
        response = client_as(comms).post(
            reverse("monitoring:import-retry", args=[died.pk]), follow=True
        )

    assert ("info", "This import cannot be started again.") in messages_shown(response)
    assert factories.reload(died).status == MentionImport.Status.RUNNING


def test_a_stalled_import_is_restarted_once_and_skips_the_lines_counted(
    client_as, comms, died, django_capture_on_commit_callbacks, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(imports, "_import_chunk", _counting_chunks(monkeypatch))
    client = client_as(comms)
    retry = reverse("monitoring:import-retry", args=[died.pk])
    tasks_before = DBTaskResult.objects.count()

    with (
        time_machine.travel(NOW + timedelta(minutes=11)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(retry)
        again = client.post(retry, follow=True)  # sent twice: queued once
    run_worker()

    assert DBTaskResult.objects.count() == tasks_before + 1
    assert ("info", "This import cannot be started again.") in messages_shown(again)
    done = factories.reload(died)
    assert done.status == MentionImport.Status.DONE
    assert (done.created_count, done.duplicate_count) == (5, 0)
    assert imports._import_chunk.lines == [4, 5, 6]  # lines 2 and 3 were not read again
    assert not done.path.exists()


def _counting_chunks(monkeypatch):
    real_chunk = _REAL_IMPORT_CHUNK

    def chunk(mention_import, rows, errors):
        chunk.lines += [line for line, _row, _extra in rows]
        return real_chunk(mention_import, rows, errors)

    chunk.lines = []
    return chunk


_REAL_IMPORT_CHUNK = imports._import_chunk


def test_a_worker_taken_for_dead_that_wakes_up_stores_nothing_more(queued, monkeypatch):
    """The import is restarted while its first worker is in the middle of a chunk: that chunk is
    rolled back, and the worker leaves the file and the import to the new attempt."""
    real_items_of = imports._items_of

    def restarted_meanwhile(*args):
        # Another process restarts the import just before this worker's chunk is stored.
        MentionImport.objects.filter(pk=queued.pk).update(
            status=MentionImport.Status.QUEUED, attempt=1
        )
        return real_items_of(*args)

    monkeypatch.setattr(imports, "_items_of", restarted_meanwhile)

    imports.run(factories.reload(queued))

    after = factories.reload(queued)
    assert Mention.objects.count() == 0
    assert (after.status, after.attempt, after.created_count) == ("queued", 1, 0)
    assert after.path.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, "login"),
        ("viewer", 403),
        ("comms", "restarted"),
        ("manager", "restarted"),
        ("admin", "restarted"),
    ],
)
def test_who_may_restart_a_stalled_import(client, client_as, request, died, role, expected):
    client.logout()  # signed in as Comms to make the import
    user = request.getfixturevalue(role) if role else None
    client = client_as(user)

    with time_machine.travel(NOW + timedelta(minutes=11)):
        response = client.post(reverse("monitoring:import-retry", args=[died.pk]))

    status = factories.reload(died).status
    if expected == "restarted":
        assert response.status_code == 302
        assert status == MentionImport.Status.QUEUED
    else:
        assert status == MentionImport.Status.RUNNING
        if expected == "login":
            assert response.status_code == 302 and reverse("login") in response.url
        else:
            assert response.status_code == expected


def test_the_retry_takes_post_only(client_as, comms, died):
    with time_machine.travel(NOW + timedelta(minutes=11)):
        response = client_as(comms).get(reverse("monitoring:import-retry", args=[died.pk]))

    assert response.status_code == 405
    assert factories.reload(died).status == MentionImport.Status.RUNNING


def test_the_stall_rule_counts_from_the_last_progress():
    last = NOW - IMPORT_STALLED_AFTER

    assert import_is_stalled(last, now=NOW)
    assert not import_is_stalled(last + timedelta(seconds=1), now=NOW)
    assert not import_is_stalled(None, now=NOW)
