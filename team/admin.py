from django.contrib import admin

from crisis.admin import ReadOnlyAdminMixin
from team.models import Answer, CallOut


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("person", "reply", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CallOut)
class CallOutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Call-outs are made and answered on the incident page; the admin site reads them."""

    list_display = ("incident", "called_by", "called_at")
    list_select_related = ("incident", "called_by")
    fields = ("incident", "called_by", "called_at", "message")
    readonly_fields = fields
    inlines = [AnswerInline]
