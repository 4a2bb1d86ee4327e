"""Reading a listening tool's CSV export into mentions, without holding the file in memory.

The upload is written to disk in the chunks Django receives it in, checked for its encoding and
counted on the way; the background task (monitoring.tasks) then reads it row by row and hands
``CHUNK_ROWS`` mentions at a time to the ingestion (monitoring.mentions.ingest_mentions), which
decides what is valid and what is a duplicate, exactly as for the API.

Encodings: UTF-8 (with or without a byte-order mark) is what every listening tool writes today.
A file starting with a UTF-16 byte-order mark (Excel's "Unicode text") is read as UTF-16. Any
other file that is not valid UTF-8 is read as Windows-1252, the encoding of Excel's "CSV" on
Western European Windows, and the page says so, so that someone seeing "Ã©" knows why; a file
that is neither (binary data, another encoding) is refused with a message naming the problem.
"""

import codecs
import csv
import uuid

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from crisis.operations import is_disk_full
from monitoring import mentions
from monitoring.import_rows import row_to_item, rows
from monitoring.models.mention_import import MAX_STORED_ERRORS, MentionImport

CHUNK_ROWS = 1000
PREVIEW_ROWS = 10
# Bytes that Windows-1252 leaves undefined: a file holding them is not Windows-1252 either.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
ENCODING_LABELS = {
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (the file is not UTF-8)",
}


class UploadRefused(Exception):
    """The file cannot be imported; the message says why, for the page."""


DISK_FULL_UPLOAD = (
    "The server's disk is full, so the file could not be stored and nothing was saved. Ask "
    "whoever runs the server to free some space, then upload the file again."
)
DISK_FULL_DATABASE = (
    "The database's disk is full, so nothing was saved. Ask whoever runs the server to free "
    "some space, then press the button again: your choices are kept below."
)


def _sniff_delimiter(line):
    counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def save_upload(uploaded, *, source_name, by):
    """Write ``uploaded`` to the imports directory, decide its encoding, read its columns and
    count its lines; return the new :class:`MentionImport` (waiting for its mapping). Raises
    :class:`UploadRefused` with the reason (a full disk included), leaving no file behind."""
    folder = settings.MENTION_IMPORT_DIR
    path = folder / f"{uuid.uuid4().hex}.csv"
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = is_cp1252 = True
    lines = size = 0
    first = b""
    last_byte = b""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
                size += len(chunk)
                if len(first) < 4:
                    first += chunk[:4]
                lines += chunk.count(b"\n")
                last_byte = chunk[-1:]
                if is_utf8:
                    try:
                        utf8.decode(chunk)
                    except UnicodeDecodeError:
                        is_utf8 = False
                if is_cp1252 and not _CP1252_UNDEFINED.isdisjoint(chunk):
                    is_cp1252 = False
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        elif is_utf8 and _utf8_complete(utf8):
            encoding = "utf-8-sig"
        elif is_cp1252 and b"\x00" not in first:
            encoding = "cp1252"
        else:
            raise UploadRefused(
                "This file is neither UTF-8 nor Windows-1252 text: export it again as CSV "
                "(UTF-8) from the listening tool."
            )
        if size == 0:
            raise UploadRefused("The file is empty.")
        headers, delimiter = _read_headers(path, encoding)
        if last_byte != b"\n":
            lines += 1  # the last line has no line break
        return MentionImport.objects.create(
            file_path=str(path),
            original_name=(getattr(uploaded, "name", "") or "upload.csv")[:255],
            size_bytes=size,
            encoding=encoding,
            delimiter=delimiter,
            headers=headers,
            total_rows=max(0, lines - 1),
            source_name=source_name.strip(),
            created_by=by,
        )
    except BaseException as error:
        path.unlink(missing_ok=True)
        if is_disk_full(error):
            raise UploadRefused(DISK_FULL_UPLOAD) from error
        raise


def _utf8_complete(decoder):
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_headers(path, encoding):
    with path.open(encoding=encoding, newline="", errors="strict") as text:
        line = text.readline()
    delimiter = _sniff_delimiter(line)
    try:
        headers = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        headers = []
    headers = [name.strip() for name in headers]
    if not any(headers):
        raise UploadRefused("The first line of the file must name its columns.")
    if "\x00" in line:
        raise UploadRefused("The file holds binary data, not text: export it again as CSV.")
    if "" in headers:
        position = headers.index("") + 1
        raise UploadRefused(f"Column {position} has no name on the first line.")
    seen = set()
    for name in headers:
        if name.casefold() in seen:
            raise UploadRefused(f"Two columns are named “{name}”: rename one and upload again.")
        seen.add(name.casefold())
    return headers, delimiter


def _items_of(chunk, columns, platform):
    """The valid-looking items of ``chunk`` with their line numbers, and the problems."""
    items, lines, problems = [], [], []
    for line, row, extra in chunk:
        item, found = row_to_item(row, columns, platform, extra)
        if found:
            problems += [{"line": line, "field": f, "message": m} for f, m in found]
        else:
            items.append(item)
            lines.append(line)
    return items, lines, problems


def _validate(items):
    """The ingestion's own verdict on each item, without storing anything: ``{index: [(field,
    message)]}``."""
    from pydantic import ValidationError

    found = {}
    for index, item in enumerate(items):
        try:
            mentions.MentionIn.model_validate(item)
        except ValidationError as error:
            found[index] = [
                (problem["field"], problem["message"])
                for problem in mentions._rejections(index, error)
            ]
    return found


def preview(mention_import, columns, platform):
    """The first PREVIEW_ROWS rows as they would be imported: ``[{line, item, problems}]``."""
    shown = []
    for line, row, extra in rows(mention_import):
        item, problems = row_to_item(row, columns, platform, extra)
        shown.append({"line": line, "row": row, "item": item, "problems": problems})
        if len(shown) >= PREVIEW_ROWS:
            break
    checked = [entry for entry in shown if not entry["problems"]]
    verdicts = _validate([entry["item"] for entry in checked])
    for index, problems in verdicts.items():
        checked[index]["problems"] = list(problems)
    return shown


def start(mention_import, *, columns, platform, by):
    """Queue the import with this mapping (remembered for the source) and return it. Refuses
    (TransitionRefused) an import already started, and (UploadRefused) when the database's disk
    is full. Queries the database."""
    from crisis.lifecycle import TransitionRefused
    from monitoring.models.mention_import import CsvColumnMapping
    from monitoring.tasks import import_mentions

    try:
        with transaction.atomic():
            row = MentionImport.objects.select_for_update().get(pk=mention_import.pk)
            if row.status != MentionImport.Status.MAPPING:
                raise TransitionRefused("This import has already started.")
            row.columns = columns
            row.platform = platform
            row.status = MentionImport.Status.QUEUED
            row.save(update_fields=["columns", "platform", "status"])
            CsvColumnMapping.remember(
                source_name=row.source_name,
                headers=row.headers,
                columns=columns,
                platform=platform,
                by=by,
            )
            transaction.on_commit(lambda: _enqueue(row, import_mentions))
    except DatabaseError as error:
        if is_disk_full(error):
            raise UploadRefused(DISK_FULL_DATABASE) from error
        raise
    return row


def _enqueue(row, task):
    result = task.enqueue(row.pk)
    MentionImport.objects.filter(pk=row.pk).update(task_id=str(result.id)[:64])


def retry(mention_import):
    """Queue a failed or stalled import again (see MentionImport.can_retry), as a new attempt:
    the worker carries on after the lines already counted, and a stalled worker that wakes up
    stops. Refuses (TransitionRefused) any other import. Queries the database."""
    from crisis.lifecycle import TransitionRefused
    from monitoring.tasks import import_mentions

    with transaction.atomic():
        row = MentionImport.objects.select_for_update().get(pk=mention_import.pk)
        if not row.can_retry:
            raise TransitionRefused("This import cannot be started again.")
        row.status = MentionImport.Status.QUEUED
        row.failure = ""
        row.finished_at = None
        row.attempt += 1
        row.save(update_fields=["status", "failure", "finished_at", "attempt"])
        transaction.on_commit(lambda: _enqueue(row, import_mentions))
    return row


def run(mention_import):
    """Import the rows of the file not counted yet, CHUNK_ROWS at a time. Called by the
    background task.

    Each chunk's mentions and the progress they make are committed together, so a failure never
    leaves half a chunk stored, nor one stored but not counted. The file is removed once imported
    or when it cannot be read; when the database refuses writes (its disk is full) the import
    fails with the line it reached and keeps its file, so that it can be retried from there, and
    so does a worker stopped half-way (the import then shows as stalled).
    A run whose attempt was superseded (MentionImport.attempt) stops and leaves all to the new one.
    """
    now = timezone.now()
    if not _this_attempt(mention_import).update(
        status=MentionImport.Status.RUNNING, started_at=now, progress_at=now
    ):
        return
    errors = list(mention_import.errors)
    counted = mention_import.processed_rows
    try:
        chunk = []
        for entry in rows(mention_import):
            if entry[0] - 1 <= counted:
                continue  # imported before the import was retried
            chunk.append(entry)
            if len(chunk) >= CHUNK_ROWS:
                counted = _import_chunk(mention_import, chunk, errors)
                chunk = []
        if chunk:
            counted = _import_chunk(mention_import, chunk, errors)
    except _Superseded:
        return  # the new attempt reads the file
    except csv.Error as error:
        _finish(mention_import, MentionImport.Status.FAILED, f"The file could not be read: {error}")
        mention_import.path.unlink(missing_ok=True)
    except Exception as error:
        if not is_disk_full(error):
            _finish(mention_import, MentionImport.Status.FAILED, f"The import stopped: {error}")
            mention_import.path.unlink(missing_ok=True)
            raise
        reached = f"the lines up to line {counted + 1} are in" if counted else "no line is in"
        _finish(
            mention_import,
            MentionImport.Status.FAILED,
            f"The database's disk is full: {reached}, the rest is not. Once some space is freed, "
            "press “Retry”: the import carries on from there.",
        )
    else:
        _finish(mention_import, MentionImport.Status.DONE, "")
        mention_import.path.unlink(missing_ok=True)
    # A worker stopped before these lines (interrupted, killed, or unable to record the end) keeps
    # the file: the import shows as stalled and can be restarted.


def _import_chunk(mention_import, chunk, errors):
    """Import ``chunk`` and record the progress, in one transaction; return the rows counted
    (the file's line number of the chunk's last row, less the header)."""
    items, lines, problems = _items_of(chunk, mention_import.columns, mention_import.platform)
    with transaction.atomic():
        created = duplicates = 0
        if items:
            result = mentions.ingest_mentions(items, source=mention_import.source_label)
            created, duplicates = result.created, result.duplicates
            for rejected in result.rejected:
                problems.append(
                    {
                        "line": lines[rejected["index"]],
                        "field": rejected.get("field", ""),
                        "message": rejected.get("message", ""),
                    }
                )
        rejected_lines = len({problem["line"] for problem in problems})
        room = MAX_STORED_ERRORS - len(errors)
        stored_errors = errors + sorted(problems, key=lambda p: p["line"])[: max(0, room)]
        counted = chunk[-1][0] - 1
        if not _this_attempt(mention_import).update(
            processed_rows=counted,
            created_count=F("created_count") + created,
            duplicate_count=F("duplicate_count") + duplicates,
            rejected_count=F("rejected_count") + rejected_lines,
            errors=stored_errors,
            progress_at=timezone.now(),
        ):
            raise _Superseded  # and the chunk is rolled back with it
    errors[:] = stored_errors
    return counted


class _Superseded(Exception):
    """The import was restarted while this run was taken for dead."""


def _this_attempt(mention_import):
    return MentionImport.objects.filter(pk=mention_import.pk, attempt=mention_import.attempt)


def _finish(mention_import, status, failure):
    changes = {"status": status, "finished_at": timezone.now(), "failure": failure[:2000]}
    if status == MentionImport.Status.DONE:
        changes["processed_rows"] = F("total_rows")
    finished = _this_attempt(mention_import).update(**changes)
    if finished and status == MentionImport.Status.FAILED:
        from monitoring import events

        mention_import.failure = changes["failure"]
        events.import_failed(mention_import)
