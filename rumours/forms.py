from django import forms
from django.db.models import Q

from crisis.converters import whole_number
from crisis.forms import OnceForm, PersonChoiceField, VersionedForm
from incidents.forms import user_choices
from monitoring.models import Mention
from rumours.models import EDITED_FIELDS, Rumour

# How many of the incident's mentions the form offers to link (by reach), besides those linked.
OFFERED_MENTIONS = 30


class RumourForm(OnceForm, VersionedForm):
    """Logs a rumour or edits one. The mentions offered are the incident's (the widest reach
    first, and those already linked); the rules (only this incident's mentions and statements)
    are the model's, and their refusals show by the field."""

    mentions = forms.ModelMultipleChoiceField(
        queryset=Mention.objects.none(),
        required=False,
        label="Seen in",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Rumour
        fields = list(EDITED_FIELDS)
        field_classes = {"owner": PersonChoiceField}
        labels = {"claim": "Claim", "correction": "Correction (what is true)"}
        widgets = {
            "claim": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "correction": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            "first_seen_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "risk": forms.RadioSelect,
        }

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.incident = incident
        self.fields["owner"].queryset = user_choices()
        self.fields["claim"].error_messages["required"] = "Write what is being claimed."
        self.fields["first_seen_at"].required = False
        self.fields["reach"].required = False
        # Validated against every mention of the incident; the page offers the widest reach.
        self.fields["mentions"].queryset = Mention.objects.filter(incident=incident)
        if self.instance.pk:
            self.fields["mentions"].initial = list(
                self.instance.mentions.values_list("pk", flat=True)
            )
        # Not a withdrawn statement, unless it is the one already linked (kept on the form).
        self.fields["response"].queryset = incident.statements.filter(
            ~Q(status="withdrawn") | Q(pk=self.instance.response_id)
        ).order_by("-created_at", "-pk")
        self.fields["response"].empty_label = "No response yet"
        self.fields["response"].label_from_instance = lambda s: (
            f"{s.get_kind_display()} #{s.pk} ({s.get_status_display().lower()})"
        )

    def offered_mentions(self):
        """The mentions the form shows as boxes, each with whether it is ticked: those linked
        or ticked, then the incident's widest reach. Two queries."""
        field = self["mentions"]
        ticked = {str(pk) for pk in (field.value() or [])}
        numeric = [n for n in map(whole_number, ticked) if n is not None]
        queryset = self.fields["mentions"].queryset
        chosen = list(queryset.filter(pk__in=numeric).order_by("-reach", "-pk"))
        chosen_pks = {m.pk for m in chosen}
        widest = [
            m
            for m in queryset.order_by("-reach", "-pk")[:OFFERED_MENTIONS]
            if m.pk not in chosen_pks
        ]
        return [(m, str(m.pk) in ticked) for m in chosen + widest]

    def clean(self):
        cleaned_data = super().clean()
        mentions = cleaned_data.get("mentions")
        if mentions is not None:
            refusal = self.instance.mentions_refusal(list(mentions))
            if refusal:
                self.add_error("mentions", refusal)
        return cleaned_data


class RumourFilterForm(forms.Form):
    """The rumour log's filters."""

    verification = forms.ChoiceField(
        choices=[("", "Any finding"), *Rumour.Verification.choices],
        required=False,
        label="Verification",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    risk = forms.ChoiceField(
        choices=[("", "Any risk"), *Rumour.Risk.choices],
        required=False,
        label="Risk",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
