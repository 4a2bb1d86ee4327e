from django.contrib import admin

from crisis.admin import RecordAdmin
from lines.models import ApprovedLine


@admin.register(ApprovedLine)
class ApprovedLineAdmin(RecordAdmin):
    """For looking up and auditing only: lines are written and approved in the app, where the
    approval rules apply (an approval belongs to the exact wording)."""

    list_display = ["__str__", "category", "kind", "owner", "review_by", "approved_at"]
    list_filter = ["category", "kind", "is_retired"]
    search_fields = ["text", "question"]
    list_select_related = ["owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
