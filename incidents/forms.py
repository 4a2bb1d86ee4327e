from django import forms
from django.contrib.auth import get_user_model

from crisis.forms import OnceForm, VersionedForm
from crisis.lifecycle import REASON_MAX_LENGTH
from incidents.models import AffectedParty, Incident

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


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
