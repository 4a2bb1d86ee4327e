"""The app's own settings, as a deployment runs them (DEBUG off, so templates are cached), plus
the benchmark's reference page: a bare template of 50 rows (bench/urls.py)."""

from crisis.settings import *  # noqa: F403
from crisis.settings import BASE_DIR, STORAGES, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# No collectstatic before a run: the static files are served as they are.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves the files where they are (no collectstatic before a run).
STATIC_ROOT = BASE_DIR / "static"
