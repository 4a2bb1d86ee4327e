from django.contrib import admin

from crisis.admin import ReadOnlyAdminMixin
from subscriptions.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: readers subscribe and confirm themselves. Deleting one unsubscribes it (the
    address is gone), for a reader who asks by other means."""

    list_display = ("email", "incident", "confirmed_at", "requested_at")
    list_filter = (("incident", admin.EmptyFieldListFilter), "confirmed_at")
    search_fields = ("email",)
    list_select_related = ("incident",)
    readonly_fields = ("email", "incident", "requested_at", "confirmed_at", "confirm_by")
    fields = readonly_fields

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
