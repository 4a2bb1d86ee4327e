from django import forms
from django.utils import timezone

from crisis.fields import MomentField
from crisis.forms import OnceForm, PersonChoiceField, VersionedForm
from crisis.lifecycle import REASON_MAX_LENGTH
from incidents.forms import DATETIME_WIDGET, user_choices
from press.models import MediaInquiry


class InquiryForm(OnceForm, VersionedForm):
    """Logs a journalist's inquiry, or edits one. Its answer has its own form
    (:class:`AnswerForm`); its status moves only through the inquiry's verbs."""

    class Meta:
        model = MediaInquiry
        fields = list(MediaInquiry.DETAIL_FIELDS)
        field_classes = {
            "spokesperson": PersonChoiceField,
            "received_at": MomentField,
            "deadline": MomentField,
        }
        labels = {"received_at": "Received"}
        widgets = {
            "outlet": forms.TextInput(attrs={"dir": "auto"}),
            "journalist": forms.TextInput(attrs={"dir": "auto"}),
            "contact": forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
            "question": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            "received_at": DATETIME_WIDGET,
            "deadline": DATETIME_WIDGET,
        }

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Known before validation, so that the model's checks (the frozen guard) see it.
            self.instance.incident = incident
        self.fields["spokesperson"].queryset = user_choices()
        self.fields["spokesperson"].empty_label = "Nobody yet"
        self.fields["spokesperson"].error_messages["invalid_choice"] = (
            "Choose a spokesperson from the list: that person is not on the team."
        )
        self.fields["question"].error_messages["required"] = "Write down the journalist's question."
        self.fields["deadline"].error_messages["required"] = (
            "Ask the journalist for their deadline: the reminders count down to it."
        )
        zone = timezone.get_current_timezone_name()
        self.fields["deadline"].help_text = f"When the journalist needs the answer ({zone})."
        self.fields["received_at"].help_text = f"When the question came in ({zone})."


class AnswerForm(VersionedForm):
    """The answer's wording. Changing it clears a manager's approval."""

    class Meta:
        model = MediaInquiry
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8, "dir": "auto"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].help_text = (
            "Answer with approved lines (Insert puts one at the cursor) and it may go to the "
            "journalist at once; any other wording is approved by a manager who did not write it."
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        label="Why not answer (for the record)",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control mb-2", "dir": "auto"}),
    )
