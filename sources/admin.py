from django.contrib import admin

from crisis.admin import LabelledFormsMixin, RecordAdmin
from sources.forms import SourceFieldsForm
from sources.models import HEALTH, AllowedHost, Source


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    """Sources as on the Sources page, with their history; the health line is read only."""

    form = SourceFieldsForm
    list_display = ["name", "kind", "url", "query", "is_active", "last_success_at", "last_error"]
    list_filter = ["kind", "is_active"]
    readonly_fields = HEALTH

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("sources.delete_source")

    def save_model(self, request, obj, form, change):
        form.apply_secret()
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AllowedHost)
class AllowedHostAdmin(LabelledFormsMixin, admin.ModelAdmin):
    """Hosts on a private network (or this machine) that sources may reach. Every other host
    must resolve to public addresses only, so a source cannot be used to reach internal
    services."""

    list_display = ["host", "note", "created_at"]
