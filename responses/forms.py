import json

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from crisis import clocks
from crisis.fields import MomentField
from crisis.forms import OnceForm, VersionedForm
from crisis.lifecycle import REASON_MAX_LENGTH, TransitionRefused
from incidents.forms import DATETIME_WIDGET, UserChoiceField, user_choices
from incidents.models import Platform
from responses import posting, promise
from responses.lengths import counter_rules
from responses.models import ActionItem, PlanTemplate, ProgressUpdate, Publication, Statement
from responses.models.progress_update import BODY_MAX_LENGTH, clean_body, promise_refusal
from responses.plans import grouped_choices


class WebURLField(forms.URLField):
    """A link to a post: http or https only, since links end up on the public page."""

    default_validators = [URLValidator(schemes=["http", "https"])]

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        # The stored link's limit: one home, the model field.
        kwargs.setdefault("max_length", Publication._meta.get_field("url").max_length)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def offer_platforms(field, incident, *, is_new):
    """Where a statement or a public update goes: the incident's own platforms first, and ticked
    for a new one; the others allowed. The one rule for both forms."""
    on_incident = [code for code, _label in Platform.choices if code in incident.platforms]
    field.choices = [(code, Platform(code).label) for code in on_incident] + [
        (code, label) for code, label in Platform.choices if code not in on_incident
    ]
    if is_new:
        field.initial = on_incident


class StatementForm(OnceForm, VersionedForm):
    class Meta:
        model = Statement
        fields = ["kind", "body", "target_platforms"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        offer_platforms(self.fields["target_platforms"], incident, is_new=not self.instance.pk)
        self.fields["target_platforms"].error_messages["required"] = "Choose at least one platform."
        self.fields["body"].error_messages["required"] = "Write the statement first."
        self.fields["body"].help_text = (
            f"Write {promise.PROMISE} where the time of the next update goes: it is filled in "
            "when the statement is published, counted from that moment, so it matches the "
            "incident's clock."
        )
        # Read by static/js/statement-counter.js to estimate each ticked platform's count while
        # typing; the server's count (responses.lengths) is the one that decides.
        rules = counter_rules()
        self.fields["body"].widget.attrs.update(
            {
                "data-length-limits": json.dumps(rules["limits"]),
                "data-length-counting": json.dumps(rules["counting"]),
                "data-x-weights": json.dumps(rules["x"]),
                "data-platform-labels": json.dumps(dict(Platform.choices)),
                "data-promise": promise.PROMISE,
                "data-promise-widest": promise.widest(),
                "aria-describedby": "length-counter",
            }
        )

    def clean_body(self):
        # Browsers send line breaks as CRLF; count them once, as the audience sees them.
        return self.cleaned_data["body"].replace("\r\n", "\n").strip()


class DecisionForm(forms.Form):
    """Approve or request changes: the version read, and a comment (required for changes)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # The stage of the approval chain decided, so that someone beaten to it is told by whom.
    stage = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    comment = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control mb-2"}),
    )


class WithdrawForm(forms.Form):
    """Withdraw a statement: an optional reason, as long as any reason may be (the page's
    ``maxlength`` comes from here; the verb checks it again)."""

    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control mb-2"}),
    )


class PublishForm(forms.Form):
    """One optional link per target platform; a link can also be added later. Each field says
    whether Crisis Desk posts there itself (a connected account) or a person posts by hand and
    pastes the link: one query for the accounts while the statement may still be published."""

    def __init__(self, *args, statement, **kwargs):
        super().__init__(*args, **kwargs)
        may_publish = statement.status in (Statement.Status.IN_REVIEW, Statement.Status.APPROVED)
        accounts = posting.connected_accounts() if may_publish else []
        for code, label in zip(statement.target_platforms, statement.platform_labels, strict=True):
            hint = ""
            if may_publish:
                on_platform = posting.accounts_on(code, accounts)
                hint = posting.posting_hint([code], on_platform, paste_link=True)
                if on_platform:
                    hint += " Leave this empty: the link is filled in once the post is up."
            self.fields[f"link_{code}"] = WebURLField(label=f"Link on {label}", help_text=hint)

    def links(self):
        return {
            name.removeprefix("link_"): url
            for name, url in self.cleaned_data.items()
            if name.startswith("link_") and url
        }


class PublicationLinkForm(forms.ModelForm):
    url = WebURLField(label="Link", help_text="The address of the post on the platform.")

    class Meta:
        model = Publication
        fields = ["url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Written inline beside each publication on the statement page.
        self.fields["url"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": "https://"}
        )


class ActionItemForm(OnceForm, VersionedForm):
    """Adds a step to an incident's action plan, or edits one. Status and order are not fields:
    they move through the item's verbs."""

    class Meta:
        model = ActionItem
        fields = ["title", "details", "kind", "owner", "due_at", "is_public"]
        field_classes = {"owner": UserChoiceField, "due_at": MomentField}
        labels = {"is_public": "Show on the public page"}
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "details": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "kind": forms.RadioSelect,
            "due_at": DATETIME_WIDGET,
        }

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Known before validation, so that the model's checks (the frozen guard) see it.
            self.instance.incident = incident
        self.fields["owner"].queryset = user_choices()
        self.fields["owner"].empty_label = "No owner yet"
        self.fields["title"].error_messages["required"] = "Say what needs doing."
        self.fields["due_at"].help_text = (
            f"In the desk's time zone ({timezone.get_current_timezone_name()}). "
            "Leave empty when there is no date yet."
        )


class PlanTemplateField(forms.ModelChoiceField):
    """A template chosen from a list in option groups (see ``plans.grouped_choices``). Any
    template that exists is accepted here: whether it may be applied is the plans module's rule,
    which says why not in words."""

    def __init__(self, *, templates, category=None, empty_label, **kwargs):
        kwargs.setdefault("label", "Plan template")
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Choose a plan template.",
                "invalid_choice": "That plan template does not exist: choose one from the list.",
            },
        )
        super().__init__(queryset=PlanTemplate.objects.all(), **kwargs)
        self.choices = [("", empty_label), *grouped_choices(templates, category)]


class PlanApplyForm(OnceForm, forms.Form):
    """Apply a plan template on the incident page; ``confirm`` says yes to applying it again."""

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, templates=(), category=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"] = PlanTemplateField(
            templates=templates, category=category, empty_label="Choose a template…"
        )
        self.order_fields(["template"])

    def problem(self):
        """Why nothing was applied, in one sentence for a message."""
        return " ".join(
            error
            for name, errors in self.errors.items()
            if name != self.ONCE_FIELD
            for error in errors
        )


# Progress updates. The rules (a text, a promise still to come) are the model's; the forms ask it
# so that a refusal shows next to the field with what was typed kept.

EMPTY_UPDATE = "Write the update first: an empty update tells nobody anything."


def _checked_body(body):
    try:
        return clean_body(body)
    except TransitionRefused as refused:
        raise forms.ValidationError(str(refused)) from refused


def _checked_promise(next_update_at):
    refusal = promise_refusal(next_update_at)
    if refusal:
        raise forms.ValidationError(refusal)
    return next_update_at


def _update_body_widget(rows):
    return forms.Textarea(attrs={"rows": rows, "dir": "auto", "maxlength": BODY_MAX_LENGTH})


class InternalUpdateForm(OnceForm, forms.ModelForm):
    """An entry in the team's log, posted at once."""

    class Meta:
        model = ProgressUpdate
        fields = ["body"]
        labels = {"body": "Internal update"}
        help_texts = {"body": "For the team only: it never appears on the public page."}
        widgets = {"body": _update_body_widget(3)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = EMPTY_UPDATE

    def clean_body(self):
        return _checked_body(self.cleaned_data["body"])


class PublicUpdateForm(OnceForm, VersionedForm):
    """A public update's draft, or an edit of one: its text and the promise of the next."""

    class Meta:
        model = ProgressUpdate
        fields = ["body", "next_update_at", "target_platforms"]
        labels = {"body": "Public update", "next_update_at": "Next update by"}
        help_texts = {
            "body": "The words the audience will read once a manager publishes them.",
            "target_platforms": "Where it goes besides the public page: Crisis Desk posts it "
            "itself to the connected accounts, a person to the others. It must fit every one; "
            "none ticked keeps it to the public page.",
            "next_update_at": "When the audience will hear from us next; it must be still to come.",
        }
        field_classes = {"next_update_at": MomentField}
        widgets = {"body": _update_body_widget(4), "next_update_at": DATETIME_WIDGET}

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = EMPTY_UPDATE
        promise = self.fields["next_update_at"]
        promise.required = True
        promise.error_messages["required"] = "Say when the next update will come."
        if not self.instance.pk:
            promise.initial = clocks.default_next_update_at(incident)
            promise.help_text += " Filled in: the incident's update cadence from now."
        offer_platforms(self.fields["target_platforms"], incident, is_new=not self.instance.pk)

    def clean_body(self):
        return _checked_body(self.cleaned_data["body"])

    def clean_next_update_at(self):
        promise = self.cleaned_data["next_update_at"]
        if self.instance.pk and promise == self.instance.next_update_at:
            # Unchanged: the publisher chooses the promise that goes out with the update.
            return promise
        return _checked_promise(promise)


class UpdatePublishForm(forms.Form):
    """Publish a public draft: the version the publisher read and the promise that goes out."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    next_update_at = MomentField(
        label="Next update by",
        widget=DATETIME_WIDGET,
        error_messages={"required": "Say when the next update will come."},
    )

    def clean_next_update_at(self):
        return _checked_promise(self.cleaned_data["next_update_at"])

    def clean(self):
        cleaned_data = super().clean()
        if self.has_error("version"):
            self.add_error(None, "This form lost track of the version you read. Open it again.")
        return cleaned_data
