from django.contrib import admin, messages

from crisis.admin import LabelledFormsMixin
from monitoring.models import ApiToken, SpikeThreshold


@admin.register(ApiToken)
class ApiTokenAdmin(LabelledFormsMixin, admin.ModelAdmin):
    """Tokens for listening tools. The secret is shown once, in a message after the token is
    created; only its hash is kept. A token is revoked, never deleted: the mentions it brought
    in name it as their source."""

    list_display = ["name", "key_prefix", "state", "expires_at", "last_used_at", "created_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix"]
    fields = [
        "name",
        "expires_at",
        "key_prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = [
        "key_prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke"]

    @admin.display(description="state")
    def state(self, token):
        if token.is_revoked:
            return "Revoked"
        if token.is_expired():
            return "Expired"
        return "Active"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "expires_at"]
        return super().get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A revoked token stays revoked: shown, never edited back to life.
        if obj is not None and obj.is_revoked:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        whole = obj.set_new_secret()
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            f"The token “{obj.name}” is {whole} — copy it now: it is shown only this once and "
            "cannot be read again. Give it to the tool as “Authorization: Bearer <token>”.",
        )

    @admin.action(description="Revoke the selected tokens (they stop working at once)")
    def revoke(self, request, queryset):
        revoked = sum(token.revoke(by=request.user) for token in queryset)
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)


@admin.register(SpikeThreshold)
class SpikeThresholdAdmin(LabelledFormsMixin, admin.ModelAdmin):
    """The one row of spike thresholds; the defaults apply until an admin saves it."""

    list_display = ["__str__", "multiple", "minimum_volume"]

    def has_add_permission(self, request):
        return not SpikeThreshold.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
