from django.contrib import admin

from audiences.models import Audience, Variant
from crisis.admin import RecordAdmin


@admin.register(Audience)
class AudienceAdmin(RecordAdmin):
    """The audiences a core statement is said to: kept here by admins (each with its way out
    and who approves its variants); never deleted, made inactive instead."""

    list_display = ["name", "way_out", "approval_rule", "is_active", "order"]
    list_filter = ["way_out", "approval_rule", "is_active"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(Variant)
class VariantAdmin(RecordAdmin):
    """For looking up and auditing only: variants are written, approved and published in the
    app, where the approval rules apply."""

    list_display = ["__str__", "audience", "language", "status", "approved_at", "published_at"]
    list_filter = ["audience", "language", "status"]
    search_fields = ["body"]
    list_select_related = ["audience", "core__incident"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
