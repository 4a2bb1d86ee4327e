"""Crisis Desk settings, read from environment variables (every one is listed in .env.example).

The defaults suit a developer's laptop: SQLite beside the code, DEBUG on, mail to the console.
A deployment sets DEBUG=false, SECRET_KEY and ALLOWED_HOSTS, and usually DATABASE_URL.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
import structlog
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# Only ever used with DEBUG on; with DEBUG off the app refuses to start without a real key.
DEVELOPMENT_SECRET_KEY = "development-only-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value (50 characters or more) when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin, its read-only pages refusing a POST (crisis.admin_site).
    "crisis.apps.CrisisAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_structlog",
    # Background jobs (the CSV import of mentions) through Django's tasks framework, queued in
    # the database so that no message broker is needed; `manage.py db_worker` runs them.
    "django_tasks",
    "django_tasks_db",
    "crisis",
    "incidents",
    # Mentions, their counts, imports, the inbox and the API (leans on incidents).
    "monitoring",
    "responses",
    # Posting published statements to Mastodon and Bluesky accounts that admins connect.
    "connectors",
    "team",
    # Readers' mail subscriptions to the public page and the status page (double opt-in).
    "subscriptions",
    # The library of approved lines, offered when a statement is drafted.
    "lines",
    # One approved core, many audiences: variants per audience and language, each its way out.
    "audiences",
    # Rumours: what is claimed about an incident, and what is true (the public page's section).
    "rumours",
    # Sources the desk polls for mentions itself: feeds, Mastodon hashtags, Bluesky searches.
    "sources",
    # Journalists' inquiries (the press office): deadlines, spokespeople, approved answers.
    "press",
    "demo",
]

MIDDLEWARE = [
    # First: /healthz answers before any host check, HTTPS redirect, session or sign-in.
    "crisis.operations.HealthCheckMiddleware",
    # One JSON line per request, with its request id, user id and duration (see LOGGING).
    "django_structlog.middlewares.RequestMiddleware",
    # A database that went away during a view answers 503 with Retry-After, not a server error
    # (during a middleware, handler500 does: crisis.operations.server_error).
    "crisis.operations.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware, so that it sees the session cookie being set.
    "crisis.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # A page marked crisis.middleware.sessionless (the public page) gets an anonymous user here,
    # before anything below reads the session or the user.
    "crisis.middleware.SessionlessMiddleware",
    # The signed-in person's time zone, active for their request (crisis.time_zones).
    "crisis.time_zones.TimeZoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crisis.middleware.SessionLimitMiddleware",
    # Someone who must give a second factor sees nothing else until they have (the admin too).
    "crisis.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes wants to be last: it turns a locked-out sign-in into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crisis.urls"
WSGI_APPLICATION = "crisis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "django.contrib.humanize.templatetags.humanize",
                "crisis.templatetags.crisis_tags",
            ],
        },
    },
]

# SQLite by default so that a new user needs nothing installed. WAL lets readers work while one
# writer writes; IMMEDIATE transactions take the write lock up front so two writers queue on the
# busy timeout instead of failing half-way with "database is locked".
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not memory, for the test database: tests that run real threads (two
            # people approving at once) need the same locking as production.
            # One file per test run, so that two runs on one machine never share it.
            "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"crisis-test-{os.getpid()}.db")},
        }
    }

# An optional read replica of DATABASE_URL for the reports, the lessons search and the incident
# export (crisis/replica.py); nothing writes to it or migrates it. The test suite never creates a
# database there: in tests it is the default database under another name.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["crisis.replica.PrimaryRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses sign-ins from a locked-out user and address before any check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with a person's permissions read in one query instead of two.
    "crisis.backends.PermissionsInOneQuery",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:dashboard"
LOGOUT_REDIRECT_URL = "login"
# A session ends after this many seconds without a request (default 8 hours)...
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 8 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT  # pushed back by crisis.middleware.SessionLimitMiddleware
# ...and this many seconds after signing in, however active (default 24 hours).
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 24 * 60 * 60)
if SESSION_IDLE_TIMEOUT <= 0 or SESSION_ABSOLUTE_TIMEOUT <= 0:
    raise ImproperlyConfigured(
        "SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_TIMEOUT must be positive."
    )

# History keeps every change reason whole: a reason may be as long as the forms accept
# (crisis.lifecycle.REASON_MAX_LENGTH), which a 100-character column would refuse on PostgreSQL.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# History rows are the record; the admin shows them but never rolls a record back to one.
SIMPLE_HISTORY_REVERT_DISABLED = True

AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many reverse proxies stand in front of the app, each appending the address it saw to
# X-Forwarded-For. 0: clients connect directly and the header is ignored (anyone can forge it).
# Behind a proxy, set it, or every sign-in seems to come from the proxy and a few wrong passwords
# lock a username out for everyone. See crisis.auth.client_address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "crisis.auth.client_address"

# Two-factor sign-in (django-otp): who must give a code from an authenticator app after their
# password, by role: "managers" (the Managers group and superusers), "staff" (who may use the admin
# site), "comms", or "everyone". On for managers and staff when DEBUG is off; anyone else may turn
# it on from their account page. "none" (or an empty value) requires it of no one.
TWO_FACTOR_ROLES = ("everyone", "comms", "managers", "staff")
# Unset or empty: the default.
TWO_FACTOR_REQUIRED_FOR = [
    role
    for role in env_list("TWO_FACTOR_REQUIRED_FOR", []) or ([] if DEBUG else ["managers", "staff"])
    if role != "none"
]
if set(TWO_FACTOR_REQUIRED_FOR) - set(TWO_FACTOR_ROLES):
    raise ImproperlyConfigured(
        f"TWO_FACTOR_REQUIRED_FOR takes {', '.join(TWO_FACTOR_ROLES)} or none, "
        f"not {', '.join(sorted(set(TWO_FACTOR_REQUIRED_FOR) - set(TWO_FACTOR_ROLES)))}."
    )
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Crisis Desk")
# Wrong codes make the next attempt wait 1, 2, 4, 8… seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin site never shows a device's secret key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Minutes allowed from detection to the first public acknowledgement, and between public updates,
# per severity (PRODUCT.md's defaults). Admins keep the targets in the admin site
# (responses.ResponseTarget); crisis.clocks reads these only for a severity without a row.
ACKNOWLEDGEMENT_TARGET_MINUTES = {1: 30, 2: 60, 3: 4 * 60, 4: 24 * 60}
UPDATE_CADENCE_MINUTES = {1: 60, 2: 2 * 60, 3: 8 * 60, 4: 24 * 60}
# How often the dashboard reads its clocks again (static/js/dashboard-clocks.js). Browser tests
# shorten it to see a refresh.
CLOCK_REFRESH_SECONDS = 60

# Background tasks: queued in the database and run by `manage.py db_worker` (quickstart starts
# one). TASKS_BACKEND=immediate runs each task inside the request instead (tests, one-off scripts).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND not in ("database", "immediate"):
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database or immediate, not {TASKS_BACKEND!r}."
    )
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}
# The outbox (crisis.outbound, docs/outbound.md): how often a delivery is tried before it is
# marked failed, the first wait between tries (doubled each time, capped; a longer Retry-After
# from the server wins), how long a worker holds a row it is sending before another may take it
# over (longer than the HTTP timeout, so a slow live worker is never doubled), and how long a
# chat webhook may take to answer.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_BACKOFF_SECONDS = env_int("OUTBOX_BACKOFF_SECONDS", 30)
OUTBOX_MAX_BACKOFF_SECONDS = env_int("OUTBOX_MAX_BACKOFF_SECONDS", 3600)
OUTBOX_HTTP_TIMEOUT_SECONDS = env_int("OUTBOX_HTTP_TIMEOUT_SECONDS", 5)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
if OUTBOX_MAX_ATTEMPTS < 1 or OUTBOX_LEASE_SECONDS <= OUTBOX_HTTP_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "OUTBOX_MAX_ATTEMPTS must be at least 1 and OUTBOX_LEASE_SECONDS longer than "
        "OUTBOX_HTTP_TIMEOUT_SECONDS."
    )
# Browser notifications (Web Push, docs/outbound.md): the VAPID private key that signs every push
# (`manage.py make_vapid_keys` makes one; without it push is not offered) and the contact a push
# service may write to about them (a mailto: or https: address). Only the push services of the
# browsers are posted to (a host, or a domain starting with a dot).
WEB_PUSH_VAPID_PRIVATE_KEY = env_str("WEB_PUSH_VAPID_PRIVATE_KEY", "")
WEB_PUSH_CONTACT = env_str("WEB_PUSH_CONTACT", "")
if WEB_PUSH_VAPID_PRIVATE_KEY and not WEB_PUSH_CONTACT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(
        "WEB_PUSH_CONTACT must be a mailto: or https: address when "
        "WEB_PUSH_VAPID_PRIVATE_KEY is set."
    )
WEB_PUSH_SERVICE_HOSTS = env_list(
    "WEB_PUSH_SERVICE_HOSTS",
    [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        ".push.apple.com",
        ".notify.windows.com",
    ],
)
# Tests only: lets a loopback http endpoint through (a local push service that checks the
# signature and decrypts the payload). Never read from the environment.
WEB_PUSH_ALLOW_LOOPBACK = False
# The key(s) that encrypt the Mastodon and Bluesky credentials at rest (Fernet keys, comma
# separated: the first encrypts, all decrypt, so a key can be rotated). Needed once an account is
# connected; without it only the development secret key may stand in (see connectors.crypto).
CONNECTOR_KEYS = env_list("CONNECTOR_KEY", [])
CONNECTOR_DEVELOPMENT_KEY_ALLOWED = SECRET_KEY == DEVELOPMENT_SECRET_KEY
# How long one call to a platform may take, in seconds; the job runs it, never a page.
CONNECTOR_TIMEOUT = env_int("CONNECTOR_TIMEOUT", 15)
# How many times a post is tried (a 429, a 5xx, a timeout) before it shows as failed.
CONNECTOR_MAX_ATTEMPTS = env_int("CONNECTOR_MAX_ATTEMPTS", 5)
# The sources the desk polls itself (sources/, docs/sources.md): how long one request may take
# (seconds), the most one answer may hold (bytes, compressed and decompressed alike), hosts on a
# private network a source may reach (comma separated; admins may also list them in the admin
# site), how many sources of one host one run polls, how many pages of a Bluesky search and of a
# Mastodon hashtag one poll reads, and how soon (seconds) a source polls again while a burst
# waits (its last page was full).
SOURCES_TIMEOUT = env_int("SOURCES_TIMEOUT", 10)
SOURCES_MAX_BYTES = env_int("SOURCES_MAX_BYTES", 5 * 1024 * 1024)
SOURCES_ALLOWED_HOSTS = env_list("SOURCES_ALLOWED_HOSTS", [])
SOURCES_PER_HOST = env_int("SOURCES_PER_HOST", 5)
SOURCES_BLUESKY_PAGES = env_int("SOURCES_BLUESKY_PAGES", 3)
SOURCES_MASTODON_PAGES = env_int("SOURCES_MASTODON_PAGES", 5)
SOURCES_BURST_DELAY = env_int("SOURCES_BURST_DELAY", 10)
# Where uploaded CSV files of mentions wait for the worker (read from disk in chunks, never held
# in memory); files are removed once imported.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MENTION_IMPORT_DIR = MEDIA_ROOT / "mention-imports"
# The largest CSV file accepted for import, in megabytes.
MENTION_IMPORT_MAX_MB = env_int("MENTION_IMPORT_MAX_MB", 200)
# Uploads larger than this go to a temporary file, not memory (Django's default is 2.5 MB); a full
# disk then drops the file with a reason for the form instead of a server error.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "crisis.operations.DiskFullUploadHandler",
]
# The largest body the mentions API reads (POST /api/v1/mentions), in bytes; larger is refused
# with 413 before it is read. The API reads its body itself, so Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, for the site's forms) does not cap it.
MENTIONS_API_MAX_BYTES = env_int("MENTIONS_API_MAX_BYTES", 5 * 1024 * 1024)
if MENTIONS_API_MAX_BYTES <= 0:
    raise ImproperlyConfigured("MENTIONS_API_MAX_BYTES must be positive.")

# The name the audience sees on public pages (which never name this tool).
COMPANY_NAME = env_str("COMPANY_NAME", "")
# The largest logo an admin may upload for the public pages (bytes); it is redrawn as a small PNG.
PUBLIC_LOGO_MAX_BYTES = env_int("PUBLIC_LOGO_MAX_BYTES", 512 * 1024)
if PUBLIC_LOGO_MAX_BYTES <= 0:
    raise ImproperlyConfigured("PUBLIC_LOGO_MAX_BYTES must be positive.")
# How long a resolved incident stays listed on the status page (/status/), in days.
STATUS_PAGE_RECENT_DAYS = env_int("STATUS_PAGE_RECENT_DAYS", 14)
if STATUS_PAGE_RECENT_DAYS < 0:
    raise ImproperlyConfigured("STATUS_PAGE_RECENT_DAYS must be zero or more.")
# Mail subscriptions to the public pages (docs/subscriptions.md): how long a confirmation link
# works (hours), how soon the same address may be sent a new one (seconds: a double click sends
# one mail), and how many requests an hour one address, and one client, may make.
SUBSCRIPTION_CONFIRM_HOURS = env_int("SUBSCRIPTION_CONFIRM_HOURS", 48)
SUBSCRIPTION_RESEND_SECONDS = env_int("SUBSCRIPTION_RESEND_SECONDS", 5 * 60)
SUBSCRIPTION_LIMIT_PER_ADDRESS = env_int("SUBSCRIPTION_LIMIT_PER_ADDRESS", 5)
SUBSCRIPTION_LIMIT_PER_CLIENT = env_int("SUBSCRIPTION_LIMIT_PER_CLIENT", 20)
if min(SUBSCRIPTION_CONFIRM_HOURS, SUBSCRIPTION_LIMIT_PER_ADDRESS) <= 0 or (
    SUBSCRIPTION_LIMIT_PER_CLIENT <= 0
):
    raise ImproperlyConfigured(
        "SUBSCRIPTION_CONFIRM_HOURS and the SUBSCRIPTION_LIMIT_* settings must be positive."
    )

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Mail: the console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Crisis Desk <crisis-desk@localhost>")

# Content-Security-Policy: no inline script or style anywhere; everything comes from this host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form arrows and checks as data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Transport security: on by default whenever DEBUG is off; each can be relaxed for an intranet
# that terminates TLS elsewhere.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # Preloading is a promise to browsers vendors that a self-hosted install should make itself.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Logs: one JSON object per line on stdout (LOG_FORMAT=json, the default with DEBUG off), or
# readable lines (console, the default with DEBUG on). Every line written during a request carries
# its request_id, user_id and ip; the request_finished line adds the status code and duration_ms.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT").strip() or ("console" if DEBUG else "json")
if LOG_FORMAT not in ("json", "console"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or console, not {LOG_FORMAT!r}.")
# The client's address comes from crisis.auth.client_address (which knows the trusted proxies),
# bound by crisis.operations.note_request_start, never from a header anyone can forge.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
_LOG_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.StackInfoRenderer(),
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *(
                    [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()]
                    if LOG_FORMAT == "json"
                    else [structlog.dev.ConsoleRenderer(colors=False)]
                ),
            ],
            # Lines from Django and other libraries get the same fields.
            "foreign_pre_chain": _LOG_CHAIN,
        },
    },
    # Readable logs show a refused request (403, 404) as one line, without its traceback; a
    # request refused for bad input (400) is a warning without its traceback in every format.
    "filters": {
        "refusals_without_traceback": {"()": "crisis.operations.RefusalsWithoutTraceback"},
        "bad_input_as_warning": {"()": "crisis.operations.BadInputAsWarning"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "structured",
            "filters": ["bad_input_as_warning"]
            + (["refusals_without_traceback"] if LOG_FORMAT == "console" else []),
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
}
structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_LOG_CHAIN,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
