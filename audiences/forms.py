from django import forms

from audiences.models import Audience, Variant
from crisis.forms import OnceForm, VersionedForm


class VariantForm(OnceForm, VersionedForm):
    """Writes a variant (its audience, language and words) or edits its words. Its approval
    and publication are not fields: they move through the variant's verbs."""

    class Meta:
        model = Variant
        fields = ["audience", "language", "body"]
        labels = {"body": "Wording"}
        widgets = {"body": forms.Textarea(attrs={"rows": 10, "dir": "auto"})}

    def __init__(self, *args, core=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.core = core
        if core is not None and not self.instance.pk:
            self.instance.core = core
        if self.instance.pk:
            # The audience and language are the variant's identity: a new one is a new variant.
            del self.fields["audience"]
            del self.fields["language"]
        else:
            self.fields["audience"].queryset = Audience.objects.filter(is_active=True)
            self.fields["audience"].empty_label = None
        self.fields["body"].error_messages["required"] = "Write the variant’s wording."
