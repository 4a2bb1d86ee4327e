"""The admin site's form for a platform account: the secret is write-only."""

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import URLValidator

from connectors import crypto
from connectors.models import PlatformAccount
from incidents.models import Platform


class PlatformAccountForm(forms.ModelForm):
    """Connects or edits an account. The secret is never put back in the page: left empty it
    keeps the stored one; typed, it replaces it (encrypted before it is saved)."""

    secret = forms.CharField(
        label="Access token or app password",
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Mastodon: an access token with the write:statuses scope (Preferences → "
        "Development → New application). Bluesky: an app password (Settings → App passwords), "
        "never the account's own password. Stored encrypted and never shown again; leave empty "
        "to keep the stored one.",
    )

    server_url = forms.URLField(
        label="Server",
        max_length=PlatformAccount._meta.get_field("server_url").max_length,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=PlatformAccount._meta.get_field("server_url").help_text,
    )

    class Meta:
        model = PlatformAccount
        fields = ["platform", "name", "server_url", "handle", "is_active"]

    def clean(self):
        cleaned = super().clean()
        platform = cleaned.get("platform")
        if platform == Platform.BLUESKY and not cleaned.get("handle"):
            self.add_error("handle", "A Bluesky account signs in with its handle.")
        secret = cleaned.get("secret")
        if not secret and not self.instance.has_secret:
            self.add_error("secret", "Enter the access token or app password to connect.")
        if secret:
            if "\x00" in secret:
                self.add_error("secret", "The secret holds a NUL character.")
            elif not crypto.is_configured():
                self.add_error(None, crypto.MISSING_KEY)
        return cleaned

    def save(self, commit=True):
        secret = self.cleaned_data.get("secret")
        if secret:
            try:
                self.instance.set_secret(secret)
            except ImproperlyConfigured as error:  # a malformed key: said, not a server error
                raise forms.ValidationError(str(error)) from error
        return super().save(commit)
