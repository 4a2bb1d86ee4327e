from django import forms
from django.contrib.auth.models import Group

from crisis.forms import OnceForm, PeopleChoiceField
from incidents.forms import user_choices
from team.models import MESSAGE_MAX_LENGTH


class CallForm(OnceForm, forms.Form):
    """Whom to call to an incident, and what to tell them."""

    people = PeopleChoiceField(
        queryset=user_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="People",
    )
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Groups",
        help_text="Everyone active in the group is called.",
    )
    message = forms.CharField(
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Message",
        help_text="Optional: what you need from them, where to join.",
    )

    def clean(self):
        cleaned_data = super().clean()
        nobody = not cleaned_data.get("people") and not cleaned_data.get("groups")
        if nobody and not self.errors:
            raise forms.ValidationError("Choose at least one person or group to call.")
        return cleaned_data


class AnswerForm(forms.Form):
    reply = forms.ChoiceField(choices=[("joining", "Joining"), ("cannot", "Can't")])
