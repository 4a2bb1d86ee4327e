import re
import secrets

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction

from crisis.history import display_user
from crisis.models import Profile, SubmissionToken
from crisis.outbound.events import PushTopic
from crisis.time_zones import zone_names


class _UsernameLengthChecked:
    """Refuses an over-long username by the field.

    Django's sign-in form sets the username's ``max_length`` after the field is built, so the
    length is never checked, and the sign-in attempt tracker then fails to store a username
    longer than its 255-character column (a server error on PostgreSQL).
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(_UsernameLengthChecked, AuthenticationForm):
    pass


class AdminLoginForm(_UsernameLengthChecked, AdminAuthenticationForm):
    pass


def new_token():
    return secrets.token_urlsafe(16)


class AlreadySaved(Exception):
    """The form was sent before and created ``url``; views redirect there with the message."""

    def __init__(self, url):
        super().__init__("This was already saved: here it is.")
        self.url = url


class OnceForm:
    """A creating form that creates at most once, however often it is sent.

    Mix it in before the form class. It adds a hidden one-time token (only when the form creates:
    a model form bound to an existing record has none) and :meth:`save_once`, which the view calls
    instead of creating directly.
    """

    ONCE_FIELD = "once_token"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            return
        self.fields[self.ONCE_FIELD] = forms.RegexField(
            regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, initial=new_token()
        )

    def clean(self):
        cleaned_data = super().clean()
        if self.ONCE_FIELD in self.fields and self.has_error(self.ONCE_FIELD):
            # The field is hidden, so say it above the form, and carry a fresh token so that
            # pressing the button again works; what was typed stays in the form.
            self.data = self.data.copy()
            self.data[self.ONCE_FIELD] = new_token()
            self.add_error(
                None,
                "This form lost its one-time key, so nothing was saved. "
                "Check the form and press the button again.",
            )
        return cleaned_data

    def save_once(self, *, by, create):
        """Call ``create()`` and return what it made, unless this form was sent before.

        Queries the database: in one transaction, records the token for ``by`` (the unique
        constraint decides between two sends at once: the second waits for the first) and
        creates. A repeat raises :class:`AlreadySaved` with the address of the first result and
        creates nothing. Exceptions from ``create`` undo the token too, so the form can be sent
        again after a refusal.
        """
        token = self.cleaned_data[self.ONCE_FIELD]
        try:
            with transaction.atomic():
                receipt = SubmissionToken.objects.create(token=token, user=by)
                created = create()
                receipt.created_url = created.get_absolute_url()
                receipt.save(update_fields=["created_url"])
        except IntegrityError:
            first = SubmissionToken.objects.filter(token=token, user=by).first()
            if first is None:
                raise
            raise AlreadySaved(first.created_url) from None
        return created


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

    def stale_message(self, current, *, noun=None):
        """After a refused stale save: carry ``current``'s version (see :meth:`catch_up_with`)
        and return what to tell the person, naming the record by ``noun`` (its model's name
        by default)."""
        self.catch_up_with(current)
        noun = noun or current._meta.verbose_name
        return (
            f"Someone else saved this {noun} after you opened it. Their version is shown with "
            "the form; your changes are still in the form. Saving again replaces their version "
            "with yours."
        )

    def catch_up_with(self, current):
        """After a refused stale save: keep what the person typed, but carry ``current``'s
        version, so that saving again is a conscious overwrite of the other person's work."""
        self.data = self.data.copy()
        self.data["version"] = current.version


# The widest integer a database column holds: SQLite raises OverflowError on a larger one.
LARGEST_ID = 2**63 - 1


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A list of records to pick (groups, permissions) that refuses, as an invalid choice, an id
    beyond what the database can hold, instead of passing it to a query that fails."""

    def _check_values(self, value):
        for item in value:
            try:
                number = int(str(item))
            except ValueError:
                continue  # the stock check refuses it with its own message
            if abs(number) > LARGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code. Checking it is the view's job
    (crisis.two_factor), which adds the refusal to the field."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery "
        "codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )


class TimeZoneForm(forms.ModelForm):
    """The time zone a person reads and types times in (crisis.time_zones)."""

    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="Every time on the desk's pages is shown in it, and every time you type is "
        "read in it. Mails and the public pages use the company's.",
    )

    class Meta:
        model = Profile
        fields = ["time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", f"The company's: {settings.TIME_ZONE}"),
            *((name, name.replace("_", " ")) for name in zone_names()),
        ]


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of one person, by the name every page shows (crisis.history.display_user)."""

    def label_from_instance(self, obj):
        return display_user(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several people, named as :class:`PersonChoiceField` names one."""

    def label_from_instance(self, obj):
        return display_user(obj)

    def _check_values(self, value):
        # A number no key can be (past 64 bits) is an unknown choice: said so by the field, before
        # the database sees it (SQLite raises OverflowError on ``pk IN (...)`` with one).
        for choice in value:
            number = str(choice).strip()
            if re.fullmatch(r"-?[0-9]+", number) and not -(2**63) <= int(number) < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": choice},
                )
        return super()._check_values(value)


class ContactForm(forms.ModelForm):
    """The phone number and deputy a person shows on the team's contact sheet."""

    deputy = PersonChoiceField(
        queryset=None,
        required=False,
        empty_label="No deputy",
        help_text="Who stands in for you when you cannot be reached.",
    )

    class Meta:
        model = Profile
        fields = ["phone", "deputy"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active colleagues only: oneself is refused by Profile.clean, and not offered.
        self.fields["deputy"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .exclude(pk=self.instance.user_id)
            .order_by("first_name", "last_name", "username")
        )
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "tel"})

    def clean_phone(self):
        return " ".join(self.cleaned_data["phone"].split())


class PushTopicsForm(forms.Form):
    """Which notifications a person's browsers receive (all of them until some are unticked)."""

    wanted = forms.MultipleChoiceField(
        label="Notify me when",
        choices=PushTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def save(self, profile):
        wanted = set(self.cleaned_data["wanted"])
        profile.push_muted = [topic for topic in PushTopic.values if topic not in wanted]
        profile.save(update_fields=["push_muted"])
