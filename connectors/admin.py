from django.contrib import admin

from connectors.forms import PlatformAccountForm
from connectors.models import PlatformAccount, PostAttempt
from crisis.admin import LabelledFormsMixin, ReadOnlyAdminMixin


@admin.register(PlatformAccount)
class PlatformAccountAdmin(LabelledFormsMixin, admin.ModelAdmin):
    """Connect, edit and switch off accounts. Never deleted while posts refer to them (PROTECT):
    untick Active instead."""

    form = PlatformAccountForm
    list_display = ["name", "platform", "server_url", "is_active", "secret_changed_at"]
    list_filter = ["platform", "is_active"]
    fields = ["platform", "name", "server_url", "handle", "secret", "is_active"]
    readonly_fields = ["secret_changed_at"]

    def get_fields(self, request, obj=None):
        return [*self.fields, "secret_changed_at"] if obj else self.fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PostAttempt)
class PostAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every post with its state and last error. Retry is on the statement page, or
    by the update on its incident page."""

    list_display = ["__str__", "account", "status", "attempts", "last_error", "created_at"]
    list_filter = ["status", "account"]
    list_select_related = ["statement__incident", "update", "account"]
    readonly_fields = [
        "statement",
        "update",
        "account",
        "status",
        "idempotency_key",
        "attempts",
        "last_error",
        "post_url",
        "created_at",
        "started_at",
        "next_try_at",
        "posted_at",
    ]
    fields = readonly_fields
