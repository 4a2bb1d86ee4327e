"""The CSV import of mentions: upload, map the columns (remembered per source), preview, import
in the background through the database task queue, with errors by line, encodings, and a
100,000-line file read without holding it in memory."""

import time
import tracemalloc
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from monitoring import counts, imports
from monitoring.models import CsvColumnMapping, Mention, MentionCount, MentionImport
from tests import factories
from tests.factories import messages_shown, page_text

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
START = reverse("monitoring:import")
HEADER = "Post ID,Network,Author,Content,Date,Sentiment,Reach,Link\n"
MAPPING = {
    "column_external_id": "Post ID",
    "column_platform": "Network",
    "column_author": "Author",
    "column_text": "Content",
    "column_posted_at": "Date",
    "column_sentiment_label": "Sentiment",
    "column_reach": "Reach",
    "column_url": "Link",
}


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.MENTION_IMPORT_DIR = tmp_path / "imports"
    return settings.MENTION_IMPORT_DIR


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=True):
        yield


def csv_file(body, name="brandwatch.csv", encoding="utf-8"):
    data = body if isinstance(body, bytes) else body.encode(encoding)
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client, body, source="Brandwatch", once_token=None, **kwargs):
    data = {
        "file": csv_file(body, **kwargs),
        "source_name": source,
        "once_token": once_token or factories.once_token(),
    }
    return client.post(START, data)


def start(client, mention_import, mapping=MAPPING, capture=None):
    url = reverse("monitoring:import-detail", args=[mention_import.pk])
    return client.post(url, {**mapping, "start": "1"})


@pytest.fixture(autouse=True)
def worker_keeps_the_test_connection(monkeypatch):
    # The worker closes stale connections between tasks; inside a test's transaction that would
    # close the test's own connection.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def run_worker():
    """The background worker (`manage.py db_worker`), in this process, until the queue is
    empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


GOOD_AND_BAD = HEADER + (
    "1001,Twitter,@ann,Parcel late again #parcelgate,2026-03-14 09:00:00,negative,1200,"
    "https://x.com/ann/status/1001\n"
    '1002,Reddit,u/bob,Still waiting,14/03/2026 09:30,neutral,"3,400",\n'
    "1003,Twitter,@cy,Love the fast fix,2026-03-14T10:00:00+00:00,positive,10,\n"
    "1004,Twitter,@dee,Bad date,yesterday-ish,negative,5,\n"
    "1005,Twitter,@eve,Bad reach,2026-03-14 10:00,negative,lots,\n"
    ",Twitter,@fay,No id,2026-03-14 10:00,negative,5,\n"
    "1007,Myspace,@gus,Unknown network,2026-03-14 10:00,neutral,5,\n"
    "\n"
    "1008,Twitter,@hal,After a blank line,2026-03-14 11:00,neutral,5,\n"
)


def test_a_file_is_mapped_previewed_and_imported_in_the_background(
    client_as, comms, import_dir, django_capture_on_commit_callbacks
):
    client = client_as(comms)

    response = upload(client, GOOD_AND_BAD)
    mention_import = MentionImport.objects.get()
    assert response.url == mention_import.get_absolute_url()
    assert mention_import.status == MentionImport.Status.MAPPING
    assert mention_import.headers == HEADER.strip().split(",")
    assert mention_import.path.parent == import_dir

    preview = client.get(response.url)
    text = page_text(preview)
    # Guessed from the column names: the preview reads the rows already, with their problems.
    assert "“yesterday-ish” is not a date and time." in text
    assert "“lots” is not a whole number." in text
    rows = {entry["line"]: entry for entry in preview.context["preview"]}
    assert not rows[2]["problems"] and not rows[3]["problems"]
    assert rows[7]["problems"]  # no id: the ingestion's own check

    with django_capture_on_commit_callbacks(execute=True):
        started = start(client, mention_import)
    assert started.url == mention_import.get_absolute_url()
    assert factories.reload(mention_import).status == MentionImport.Status.QUEUED
    assert Mention.objects.count() == 0  # nothing before the worker runs

    run_worker()

    done = factories.reload(mention_import)
    assert done.status == MentionImport.Status.DONE
    assert (done.created_count, done.duplicate_count, done.rejected_count) == (4, 0, 4)
    assert [(e["line"], e["field"]) for e in done.errors] == [
        (5, "posted_at"),
        (6, "reach"),
        (7, "external_id"),
        (8, "platform"),
    ]
    assert not done.path.exists()  # the upload is removed once read
    stored = {m.external_id: m for m in Mention.objects.all()}
    assert set(stored) == {"1001", "1002", "1003", "1008"}
    assert stored["1001"].platform == "x" and stored["1002"].platform == "reddit"
    assert stored["1002"].reach == 3400
    assert stored["1001"].source == f"csv:{mention_import.pk}"
    page = page_text(client.get(done.get_absolute_url()))
    assert "Line 5, posted_at: “yesterday-ish” is not a date and time." in page
    assert "Imported" in page


def test_importing_the_same_file_again_creates_no_duplicates(
    client_as, comms, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    for _ in range(2):
        upload(client, GOOD_AND_BAD)
        mention_import = MentionImport.objects.order_by("-pk").first()
        with django_capture_on_commit_callbacks(execute=True):
            start(client, mention_import)
        run_worker()

    second = MentionImport.objects.order_by("-pk").first()
    assert (second.created_count, second.duplicate_count) == (0, 4)
    assert Mention.objects.count() == 4
    # Counted once, by the ingestion the import goes through.
    assert sum(MentionCount.objects.values_list("n", flat=True)) == 4
    assert counts.discrepancies() == []


def test_the_mapping_is_remembered_for_the_source_and_its_columns(
    client_as, comms, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    odd = "Identifier,Where,Words,When\n1,x,hello,2026-03-14 10:00\n"
    upload(client, odd, source="Talkwalker")
    first = MentionImport.objects.get()
    mapping = {
        "column_external_id": "Identifier",
        "column_text": "Words",
        "column_posted_at": "When",
        "column_platform": "Where",
    }
    with django_capture_on_commit_callbacks(execute=True):
        start(client, first, mapping)

    # The next export of the same tool, its columns in another order.
    upload(client, "When,Words,Where,Identifier\n2026-03-14 11:00,again,x,2\n", source="talkwalker")
    second = MentionImport.objects.order_by("-pk").first()
    form = client.get(second.get_absolute_url()).context["form"]

    assert {k: v for k, v in form.initial.items() if v} == mapping
    assert CsvColumnMapping.objects.count() == 1


def test_a_mapping_without_the_required_columns_is_refused_by_its_fields(client_as, comms):
    client = client_as(comms)
    upload(client, "A,B\n1,2\n")
    mention_import = MentionImport.objects.get()

    response = start(client, mention_import, {"column_text": "A"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"column_external_id", "column_posted_at", "platform"}
    assert factories.reload(mention_import).status == MentionImport.Status.MAPPING


def test_a_platform_for_every_row_fills_a_file_without_one(
    client_as, comms, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    upload(client, "id;text;date\n9;Bonjour;2026-03-14 10:00\n", source="Linkfluence")
    mention_import = MentionImport.objects.get()
    assert mention_import.delimiter == ";"
    mapping = {
        "column_external_id": "id",
        "column_text": "text",
        "column_posted_at": "date",
        "platform": "linkedin",
    }

    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import, mapping)
    run_worker()

    assert Mention.objects.get().platform == "linkedin"


def test_an_import_is_started_once(client_as, comms, django_capture_on_commit_callbacks):
    client = client_as(comms)
    upload(client, GOOD_AND_BAD)
    mention_import = MentionImport.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        start(client, mention_import)
        again = client.post(
            reverse("monitoring:import-detail", args=[mention_import.pk]),
            {**MAPPING, "start": "1"},
            follow=True,
        )

    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 1
    assert ("info", "This import has already started.") in messages_shown(again)


# Encodings


def test_a_utf8_file_with_a_byte_order_mark_reads_its_first_column(client_as, comms):
    upload(client_as(comms), "\ufeff" + GOOD_AND_BAD)

    mention_import = MentionImport.objects.get()
    assert mention_import.headers[0] == "Post ID"
    assert mention_import.encoding == "utf-8-sig"


def test_a_windows_1252_file_is_read_as_such_and_the_page_says_so(
    client_as, comms, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    body = "id,platform,text,date\n1,x,Café crème à 5 €,2026-03-14 10:00\n"
    upload(client, body, encoding="cp1252")
    mention_import = MentionImport.objects.get()
    assert mention_import.encoding == "cp1252"

    page = client.get(mention_import.get_absolute_url())
    assert "This file is not UTF-8." in page_text(page)
    with django_capture_on_commit_callbacks(execute=True):
        start(
            client,
            mention_import,
            {
                "column_external_id": "id",
                "column_platform": "platform",
                "column_text": "text",
                "column_posted_at": "date",
            },
        )
    run_worker()

    assert Mention.objects.get().text == "Café crème à 5 €"


def test_a_utf16_file_with_its_byte_order_mark_is_read(client_as, comms):
    body = "id,platform,text,date\n1,x,日本語のテキスト,2026-03-14 10:00\n"
    upload(client_as(comms), body.encode("utf-16"))

    mention_import = MentionImport.objects.get()
    assert mention_import.encoding == "utf-16"
    assert mention_import.headers == ["id", "platform", "text", "date"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\x81\x8d\x00\x01binary", "This file is neither UTF-8 nor Windows-1252 text"),
        (b"", "The submitted file is empty."),
        (b"\n\n", "The first line of the file must name its columns."),
        (b"id,text,id\n1,a,2\n", "Two columns are named “id”"),
        (b"id,,date\n1,a,2\n", "Column 2 has no name on the first line."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_by_the_field(
    client_as, comms, import_dir, body, message
):
    response = upload(client_as(comms), body)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not MentionImport.objects.exists()
    assert not list(import_dir.glob("*")) if import_dir.exists() else True


def test_an_upload_sent_twice_makes_one_import(client_as, comms):
    client = client_as(comms)
    token = factories.once_token()

    first = upload(client, GOOD_AND_BAD, once_token=token)
    again = upload(client, GOOD_AND_BAD, once_token=token)

    assert MentionImport.objects.count() == 1
    assert again.url == first.url
    assert ("info", "This was already saved: here it is.") in messages_shown(client.get(again.url))


def test_a_refused_upload_can_be_sent_again_with_the_same_token(client_as, comms):
    client = client_as(comms)
    token = factories.once_token()

    upload(client, b"", once_token=token)
    response = upload(client, GOOD_AND_BAD, once_token=token)

    assert response.status_code == 302
    assert MentionImport.objects.count() == 1


def test_an_upload_whose_file_is_gone_asks_for_it_again(client_as, comms):
    client = client_as(comms)
    upload(client, GOOD_AND_BAD)
    mention_import = MentionImport.objects.get()
    mention_import.path.unlink()

    response = client.get(mention_import.get_absolute_url(), follow=True)

    assert response.redirect_chain[-1][0] == START
    assert (
        "danger",
        "The uploaded file is no longer on the server: upload it again.",
    ) in messages_shown(response)


def test_a_file_too_large_is_refused(client_as, comms, settings):
    settings.MENTION_IMPORT_MAX_MB = 0

    response = upload(client_as(comms), GOOD_AND_BAD)

    assert "The file is larger than 0 MB" in " ".join(response.context["form"].errors["file"])


# Who may import


@pytest.mark.parametrize("page", ["import", "detail", "progress"])
def test_a_viewer_may_not_import(client_as, comms, viewer, page):
    upload(client_as(comms), GOOD_AND_BAD)
    mention_import = MentionImport.objects.get()
    urls = {
        "import": START,
        "detail": mention_import.get_absolute_url(),
        "progress": reverse("monitoring:import-progress", args=[mention_import.pk]),
    }
    client = client_as(viewer)

    assert client.get(urls[page]).status_code == 403
    assert client.post(urls[page], {**MAPPING, "start": "1"}).status_code in (403, 405)
    assert factories.reload(mention_import).status == MentionImport.Status.MAPPING


def test_the_progress_fragment_is_read_again_only_while_the_import_runs(client_as, comms):
    upload(client_as(comms), GOOD_AND_BAD)
    mention_import = MentionImport.objects.get()
    MentionImport.objects.filter(pk=mention_import.pk).update(
        status=MentionImport.Status.RUNNING, processed_rows=4
    )
    url = reverse("monitoring:import-progress", args=[mention_import.pk])

    running = client_as(comms).get(url)
    assert f'data-refresh-url="{url}"' in running.content.decode()
    assert "44% read: 4 of about 9 lines." in page_text(running)

    MentionImport.objects.filter(pk=mention_import.pk).update(status=MentionImport.Status.DONE)
    done = client_as(comms).get(url)
    assert "data-refresh-url" not in done.content.decode()


# A large file


def write_export(path, lines):
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(lines):
            out.write(
                f"{n},Twitter,@user{n % 500},Mention number {n} about the parcel,"
                f"2026-03-{1 + n % 13:02d} {n % 24:02d}:{n % 60:02d}:00,neutral,{n % 1000},\n"
            )


def import_file(path, by):
    with path.open("rb") as handle:
        mention_import = imports.save_upload(File(handle, name=path.name), source_name="Big", by=by)
    MentionImport.objects.filter(pk=mention_import.pk).update(
        columns={k.removeprefix("column_"): v for k, v in MAPPING.items()},
        status=MentionImport.Status.QUEUED,
    )
    mention_import = factories.reload(mention_import)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        imports.run(mention_import)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return factories.reload(mention_import), peak, time.perf_counter() - started


def test_a_100000_line_file_imports_with_flat_memory(comms, tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_export(small, 10_000)
    write_export(large, 100_000)

    _done, small_peak, _seconds = import_file(small, comms)
    Mention.objects.all().delete()
    done, large_peak, seconds = import_file(large, comms)

    assert done.status == MentionImport.Status.DONE, done.failure
    assert done.created_count == 100_000 and done.rejected_count == 0
    assert Mention.objects.count() == 100_000
    # Ten times the lines, the same memory: only a chunk of CHUNK_ROWS rows is ever held (the
    # file itself is 9 MB).
    assert large_peak < small_peak * 1.5 + 2_000_000, (small_peak, large_peak)
    assert large_peak < 30_000_000
    assert seconds < 300, f"100,000 lines took {seconds:.0f} s"
    print(f"100,000 lines imported in {seconds:.1f} s, peak {large_peak / 1e6:.1f} MB traced")
