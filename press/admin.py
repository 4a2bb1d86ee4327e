from django.contrib import admin

from crisis.admin import RecordAdmin
from press.models import MediaInquiry


@admin.register(MediaInquiry)
class MediaInquiryAdmin(RecordAdmin):
    """For looking up and auditing only: inquiries are logged and answered in the app, where
    the approval rules apply."""

    list_display = ["__str__", "incident", "status", "deadline", "spokesperson", "answered_at"]
    list_filter = ["status"]
    search_fields = ["outlet", "journalist", "question", "answer"]
    list_select_related = ["incident", "spokesperson"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
