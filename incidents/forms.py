from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator

from crisis import panels
from crisis.fields import MomentField
from crisis.forms import OnceForm, PersonChoiceField, VersionedForm
from crisis.lifecycle import REASON_MAX_LENGTH
from incidents.models import AffectedParty, Incident, PostMortem
from incidents.models.postmortem import TEXT_FIELDS as POSTMORTEM_TEXT_FIELDS
from incidents.models.postmortem import TEXT_MAX_LENGTH as POSTMORTEM_TEXT_MAX_LENGTH

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def user_choices():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class UserChoiceField(PersonChoiceField):
    """A person chosen on an incident's forms (the lead), by name."""


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
        field_classes = {"lead": UserChoiceField, "detected_at": MomentField}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "detected_at": DATETIME_WIDGET,
        }

    def __init__(self, *args, declared_by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = user_choices()
        self.fields["lead"].empty_label = "No lead yet"
        self.fields["title"].widget.attrs["autofocus"] = True
        # Declaring: other apps' optional fields (a plan template) join the form.
        self.extensions = []
        if declared_by is not None and not self.instance.pk:
            for extension in panels.declare_extensions:
                added = extension.fields(declared_by)
                if added:
                    self.extensions.append(extension)
                    self._add_fields_after(extension.after, added)

    def _add_fields_after(self, after, added):
        self.fields.update(added)
        order = [name for name in self.fields if name not in added]
        at = order.index(after) + 1 if after in order else len(order)
        self.order_fields(order[:at] + list(added) + order[at:])

    def clean(self):
        cleaned_data = super().clean()
        for extension in self.extensions:
            for name, message in (extension.clean(cleaned_data) or {}).items():
                self.add_error(name, message)
        return cleaned_data


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
        field_classes = {"outreach_at": MomentField}
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


class PostMortemForm(VersionedForm):
    """The post-mortem's text. Every field may stay empty in a draft; submitting asks the model
    which are still missing (PostMortem.close_refusals), so the form only checks the input."""

    class Meta:
        model = PostMortem
        fields = list(POSTMORTEM_TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in POSTMORTEM_TEXT_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in POSTMORTEM_TEXT_FIELDS:
            field = self.fields[name]
            field.max_length = POSTMORTEM_TEXT_MAX_LENGTH
            field.widget.attrs["maxlength"] = POSTMORTEM_TEXT_MAX_LENGTH
            field.widget.attrs["dir"] = "auto"
            field.validators.append(MaxLengthValidator(POSTMORTEM_TEXT_MAX_LENGTH))

    def clean(self):
        # Django's form fields already refuse NUL characters, by the field.
        cleaned_data = super().clean()
        for name in POSTMORTEM_TEXT_FIELDS:
            if cleaned_data.get(name):
                cleaned_data[name] = cleaned_data[name].replace("\r\n", "\n")
        return cleaned_data
