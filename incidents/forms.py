from django import forms
from django.contrib.auth import get_user_model

from crisis.forms import OnceForm
from crisis.lifecycle import REASON_MAX_LENGTH
from incidents.models import AffectedParty, Incident

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VersionedForm(forms.ModelForm):
    """Carries the version the form was opened on, so a stale save is refused, not applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean(self):
        cleaned_data = super().clean()
        if "version" in self.fields and self.has_error("version"):
            # The field is hidden, so its own error would never be seen: say it above the form.
            self.add_error(
                None, "This form lost track of the version you opened. Open the page again."
            )
        return cleaned_data

    def edited_fields(self):
        return [name for name in self._meta.fields if name in self.fields]

    def catch_up_with(self, current):
        """After a refused stale save: keep what the person typed, but carry ``current``'s
        version, so that saving again is a conscious overwrite of the other person's work."""
        self.data = self.data.copy()
        self.data["version"] = current.version


def user_choices():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class IncidentForm(OnceForm, VersionedForm):
    class Meta:
        model = Incident
        fields = [
            "title",
            "public_title",
            "summary",
            "category",
            "severity",
            "platforms",
            "lead",
            "tracking_terms",
            "detected_at",
            "is_drill",
        ]
        field_classes = {"lead": UserChoiceField}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "detected_at": DATETIME_WIDGET,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = user_choices()
        self.fields["lead"].empty_label = "No lead yet"
        self.fields["title"].widget.attrs["autofocus"] = True


class AffectedPartyForm(OnceForm, VersionedForm):
    class Meta:
        model = AffectedParty
        fields = [
            "kind",
            "description",
            "estimated_count",
            "impact",
            "outreach_status",
            "outreach_at",
            "outreach_channel",
            "is_public",
        ]
        widgets = {
            "impact": forms.Textarea(attrs={"rows": 3}),
            "outreach_at": DATETIME_WIDGET,
        }


class MoveForm(forms.Form):
    """The note that goes with a lifecycle move (required for cancel and reopen by the verbs)."""

    reason = forms.CharField(
        label="Note",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the history with the move.",
        error_messages={
            "max_length": "The note is too long: at most %(limit_value)d characters "
            "(it has %(show_value)d)."
        },
    )
