"""The CSV import's forms: the upload and the mapping of its columns."""

from django import forms

from crisis.forms import OnceForm

# Mentions: the CSV import and the inbox.


class ImportUploadForm(OnceForm, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="An export of mentions from a listening tool, with the column names on the first "
        "line (UTF-8; Windows-1252 is read too).",
    )
    source_name = forms.CharField(
        label="Source",
        max_length=100,
        help_text="The listening tool it comes from (for example Brandwatch): the columns you map "
        "are remembered for its next export.",
    )

    def __init__(self, *args, disk_full=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The server could not store the upload (crisis.operations.DiskFullUploadHandler).
        self.disk_full = disk_full
        if disk_full:
            self.fields["file"].required = False

    def clean_file(self):
        from django.conf import settings

        from monitoring.imports import DISK_FULL_UPLOAD

        if self.disk_full:
            raise forms.ValidationError(DISK_FULL_UPLOAD)
        upload = self.cleaned_data["file"]
        limit = settings.MENTION_IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(f"The file is larger than {limit} MB: split it.")
        return upload

    def clean_source_name(self):
        name = self.cleaned_data["source_name"].strip()
        if not name:
            raise forms.ValidationError("Name the listening tool the file comes from.")
        return name


class ColumnMappingForm(forms.Form):
    """Which column holds each field of a mention, and a platform for files without one."""

    NOT_IN_FILE = ""
    REQUIRED = ("external_id", "text", "posted_at")

    platform = forms.ChoiceField(
        label="Platform of every row",
        required=False,
        help_text="Only when the file has no platform column.",
    )

    def __init__(self, *args, headers, **kwargs):
        from incidents.models import Platform
        from monitoring.models.mention_import import MAPPABLE_FIELDS

        super().__init__(*args, **kwargs)
        choices = [(self.NOT_IN_FILE, "— not in this file —")] + [(h, h) for h in headers]
        self.fields = {
            f"column_{name}": forms.ChoiceField(label=label, choices=choices, required=False)
            for name, label in MAPPABLE_FIELDS.items()
        } | {"platform": self.fields["platform"]}
        self.fields["platform"].choices = [("", "— from the platform column —")] + list(
            Platform.choices
        )

    def clean(self):
        cleaned_data = super().clean()
        for name in self.REQUIRED:
            if not cleaned_data.get(f"column_{name}"):
                self.add_error(f"column_{name}", "Choose the column that holds it.")
        if not cleaned_data.get("column_platform") and not cleaned_data.get("platform"):
            self.add_error(
                "platform", "Choose the platform column above, or the platform of every row."
            )
        return cleaned_data

    @property
    def columns(self):
        return {
            name.removeprefix("column_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("column_") and value
        }

    @classmethod
    def initial_from(cls, columns, platform):
        return {f"column_{name}": column for name, column in columns.items()} | {
            "platform": platform
        }
