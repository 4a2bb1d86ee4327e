from django import forms

from crisis.fields import DayField
from crisis.forms import OnceForm, PersonChoiceField, VersionedForm
from incidents.forms import user_choices
from lines.models import CATEGORY_CHOICES, ApprovedLine


class LineForm(OnceForm, VersionedForm):
    """Writes a line or edits one. Its approval and retirement are not fields: they move
    through the line's verbs."""

    class Meta:
        model = ApprovedLine
        fields = ["category", "kind", "question", "text", "owner", "review_by"]
        field_classes = {"owner": PersonChoiceField, "review_by": DayField}
        labels = {"text": "Wording", "review_by": "Review by"}
        widgets = {
            "kind": forms.RadioSelect,
            "question": forms.TextInput(attrs={"dir": "auto"}),
            "text": forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
            "review_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = user_choices()
        self.fields["owner"].help_text = "Who keeps this line current."
        self.fields["text"].error_messages["required"] = "Write the line."


class LineFilterForm(forms.Form):
    """The library's filters: a category and words to find."""

    category = forms.ChoiceField(
        choices=[("", "Every category"), *CATEGORY_CHOICES],
        required=False,
        label="Category",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
