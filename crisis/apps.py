from django.apps import AppConfig


class CrisisConfig(AppConfig):
    """The shared kernel: lifecycle, history, clocks, fields, template tags and the commands that
    span apps. Its one model is the creating forms' receipt (SubmissionToken)."""

    name = "crisis"
    verbose_name = "Crisis Desk"
