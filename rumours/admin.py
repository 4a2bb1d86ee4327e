from django.contrib import admin

from crisis.admin import RecordAdmin
from rumours.models import Rumour


@admin.register(Rumour)
class RumourAdmin(RecordAdmin):
    """For looking up and auditing only: rumours are logged and edited in the app, where the
    rules apply (only the incident's mentions and statements, frozen with their incident)."""

    list_display = ["__str__", "incident", "risk", "verification", "reach", "owner", "is_public"]
    list_filter = ["risk", "verification", "is_public"]
    search_fields = ["claim", "correction", "incident__reference"]
    list_select_related = ["incident", "owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
