from django.apps import AppConfig


class CrisisConfig(AppConfig):
    """The shared kernel: lifecycle, history, clocks, fields, template tags and the commands that
    span apps. Its one model is the creating forms' receipt (SubmissionToken)."""

    name = "crisis"
    verbose_name = "Crisis Desk"

    def ready(self):
        # Registers the <reference:…> and <token:…> path converters before any URLconf loads,
        # and the sign-in time noted in each new session.
        from crisis import auth, converters  # noqa: F401
