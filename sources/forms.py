"""The Sources page's form (and the admin site's): the app password is write-only."""

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import URLValidator

from connectors import crypto
from crisis.forms import OnceForm
from sources.ingest import Incident
from sources.models import Source


class SourceFieldsForm(forms.ModelForm):
    """Adds or edits a source. The app password is never put back in the page: left empty it
    keeps the stored one; typed, it replaces it (encrypted before it is saved)."""

    url = forms.URLField(
        label="Address",
        max_length=Source._meta.get_field("url").max_length,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=Source._meta.get_field("url").help_text,
    )
    secret = forms.CharField(
        label="App password",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Bluesky only, when the service asks for a sign-in: an app password (Settings "
        "→ App passwords), never the account's own. Stored encrypted, never shown again; leave "
        "empty to keep the stored one.",
    )
    forget_secret = forms.BooleanField(
        label="Forget the stored app password",
        required=False,
        help_text="Tick to stop signing in.",
    )

    class Meta:
        model = Source
        fields = [
            "kind",
            "name",
            "url",
            "query",
            "handle",
            "incident",
            "terms",
            "interval_minutes",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "incident" in self.fields:  # not on the admin's page of a past version
            self.fields["incident"].queryset = Incident.objects.open().order_by("-pk")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        query = (cleaned.get("query") or "").strip()
        if kind == Source.Kind.MASTODON:
            tag = query.lstrip("#")
            if not tag or not all(ch.isalnum() or ch == "_" for ch in tag):
                self.add_error("query", "Enter the hashtag: letters, digits and _ only.")
            else:
                cleaned["query"] = tag
        if kind == Source.Kind.BLUESKY and not query:
            self.add_error("query", "Enter what to search Bluesky for.")
        secret = cleaned.get("secret") or ""
        if secret:
            if kind != Source.Kind.BLUESKY:
                self.add_error("secret", "Only a Bluesky search signs in with an app password.")
            elif not cleaned.get("handle"):
                self.add_error("handle", "An app password signs in with its handle.")
            elif "\x00" in secret:
                self.add_error("secret", "The app password holds a NUL character.")
            elif not crypto.is_configured():
                self.add_error("secret", crypto.MISSING_KEY)
        return cleaned

    def apply_secret(self):
        """Put the typed app password (encrypted) on the instance, or forget it."""
        secret = self.cleaned_data.get("secret")
        try:
            if secret:
                self.instance.set_secret(secret)
            elif self.cleaned_data.get("forget_secret"):
                self.instance.set_secret("")
        except ImproperlyConfigured as error:
            raise forms.ValidationError(str(error)) from error


class SourceForm(OnceForm, SourceFieldsForm):
    """The Sources page's form: a version against concurrent edits, a one-time key against a
    double submission."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        else:
            del self.fields["version"]
        if not self.instance.has_secret:
            # Nothing stored, nothing to forget: the box would only puzzle (the admin's
            # page keeps it: its fieldsets name every field).
            del self.fields["forget_secret"]
        else:
            self.fields["secret"].help_text += " An app password is stored now."

    def edited_fields(self):
        return [*self._meta.fields, "secret_encrypted"]
