from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CrisisConfig(AppConfig):
    """The shared kernel: lifecycle, history, clocks, fields, template tags and the commands that
    span apps. Its one model is the creating forms' receipt (SubmissionToken)."""

    name = "crisis"
    verbose_name = "Crisis Desk"

    def ready(self):
        # Registers the <reference:…> and <token:…> path converters before any URLconf loads,
        # the sign-in time noted in each new session, the sign-in audit and the two-factor check
        # noted at sign-in, the request log's extra fields, and history rows dated by the
        # desk's clock (crisis.timekeeper); and history managers made once per model
        # (crisis.history.keep_history_manager_classes).
        from django_structlog import signals

        from crisis import audit, auth, converters, history, operations, timekeeper, two_factor  # noqa: F401

        history.keep_history_manager_classes()
        signals.bind_extra_request_metadata.connect(operations.note_request_start)
        signals.bind_extra_request_finished_metadata.connect(operations.note_request_duration)


class CrisisAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with the project's site (crisis.admin_site) as ``admin.site``."""

    default = False
    default_site = "crisis.admin_site.CrisisAdminSite"
