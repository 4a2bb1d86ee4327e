"""What operators and load balancers rely on: the health check, the error pages, the answer when
the database is away or the disk is full, and the request log's extra fields."""

import errno
import logging
import sys
import time

from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.cache import never_cache

from crisis.auth import client_address

logger = logging.getLogger(__name__)

# What a full disk (or a spent quota) looks like: the operating system's error numbers, and the
# messages SQLite and PostgreSQL give when they cannot grow a file.
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_DISK_FULL_MESSAGES = ("database or disk is full", "could not extend file", "no space left")


def is_disk_full(error):
    """Whether ``error`` (an OSError or a database error) says a disk or quota is full."""
    if isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS:
        return True
    if isinstance(error, DatabaseError):
        text = str(error).casefold()
        return any(message in text for message in _DISK_FULL_MESSAGES)
    return False


class DiskFullUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for uploads too large for memory, which a full disk no longer turns into
    a server error (raised while the CSRF check reads the form, before any view could say why).
    The file is dropped, its temporary copy removed, the form's other fields kept, and
    ``request.upload_disk_full`` set, for the form to say so by its file field."""

    def receive_data_chunk(self, raw_data, start):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError as error:
            if not is_disk_full(error):
                raise
            self.request.upload_disk_full = True
            raise SkipFile from error  # the parser closes (so deletes) the temporary file


HEALTHZ_PATH = "/healthz"
# What the database-unavailable page asks clients (and load balancers) to wait, in seconds.
RETRY_AFTER_SECONDS = 30

# Migrations are never un-applied under a running process: once seen complete, the health check
# stops reading the migration files from disk on every probe.
_migrations_complete = False


def health():
    """``(healthy, reason)``: the database answers a query and every migration is applied.
    The reason is for the log only; the probe's answer says nothing but ok or unavailable."""
    global _migrations_complete
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _migrations_complete:
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                return False, "migrations not applied"
            _migrations_complete = True
    except DatabaseError as error:
        return False, f"database unreachable: {type(error).__name__}"
    return True, ""


@never_cache
def healthz(request):
    """``/healthz`` for load balancers: 200 ``ok`` or 503 ``unavailable``, plain text, to anyone.

    :class:`HealthCheckMiddleware` answers it before any other middleware (no session, no
    sign-in, no host check, no HTTPS redirect, no sign-in lockout); the URL pattern is there so
    the address has a name and a line in the access matrix.
    """
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405, content_type="text/plain")
        response["Allow"] = "GET, HEAD"
        return response
    healthy, reason = health()
    if healthy:
        return HttpResponse("ok\n", content_type="text/plain")
    logger.warning("Health check failed: %s", reason)
    response = HttpResponse("unavailable\n", status=503, content_type="text/plain")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers ``/healthz`` itself, so that a probe needs no session, no
    allowed host name and no HTTPS, and is never counted by the sign-in lockout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") == HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """The database went away during a view: answer 503 with Retry-After and a page saying so,
    instead of a server error. Whatever was committed before stays committed; whatever was
    half-way is rolled back by the database, so the person sends the form again. (When a
    middleware meets the fault, reading the session or the user, :func:`server_error` answers
    the same way.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_GONE):
            return database_unavailable(request)
        return None


DATABASE_GONE = (OperationalError, InterfaceError)


def database_unavailable(request):
    logger.error("Database unavailable during %s %s", request.method, request.path, exc_info=True)
    # Rendered without the request: its context processors would read the session and the user
    # from the database that is away.
    body = loader.render_to_string("503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """``handler500``: the styled page, rendered without the request (its context processors could
    be what failed); the database-unavailable page when that is what failed."""
    if isinstance(sys.exception(), DATABASE_GONE):
        return database_unavailable(request)
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def bad_request(request, exception=None):
    """``handler400``: the styled page, rendered without the request (the request is what was
    bad: its host name, its cookies or its size)."""
    return HttpResponse(loader.render_to_string("400.html"), status=400)


# The request log (django-structlog's request_started and request_finished lines): the client's
# address as the sign-in lockout counts it (crisis.auth.client_address, never a forgeable header)
# and how long the request took.


def note_request_start(sender, request, logger, log_kwargs, **kwargs):
    import structlog

    request._crisis_started = time.monotonic()
    structlog.contextvars.bind_contextvars(ip=client_address(request))


def note_request_duration(sender, request, logger, response, log_kwargs, **kwargs):
    started = getattr(request, "_crisis_started", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.monotonic() - started) * 1000, 1)


class RefusalsWithoutTraceback(logging.Filter):
    """Readable logs (LOG_FORMAT=console, the default with DEBUG on) show a refused request (a
    403 or 404, which Django logs with its exception) as its one warning line, not a traceback
    screens long: the refusal is the app working. Server errors keep their traceback, and the
    JSON logs of production are left as they are (this filter is not on their handler)."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class BadInputAsWarning(logging.Filter):
    """A request refused for its own bad input (Django's SuspiciousOperation family, answered 400:
    too many fields, a file too large, a host name not served) is logged by Django as an error
    with its traceback, though nothing failed: the app refused what it was sent. Like the other
    refusals it is logged as a warning, on one line, in every log format: the traceback only
    shows Django's parser at work."""

    def filter(self, record):
        if record.name.startswith("django.security.") and (
            getattr(record, "status_code", None) == 400
        ):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = None
            record.exc_text = None
        return True
