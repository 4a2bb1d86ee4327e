from datetime import timedelta

from django.contrib import admin

from crisis.admin import RecordAdmin
from crisis.templatetags.crisis_tags import describe_duration
from responses.models import Publication, ResponseTarget, Review, Statement


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["statement_version", "decision", "reviewer", "comment", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PublicationInline(admin.TabularInline):
    model = Publication
    extra = 0
    fields = ["platform", "url", "published_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(RecordAdmin):
    """For looking up and auditing only: an edit here would bypass the approval rules (an
    approval belongs to the exact wording), so statements change only in the app."""

    list_display = ["__str__", "status", "author", "created_at", "published_at"]
    list_filter = ["status", "kind"]
    search_fields = ["body", "incident__reference", "incident__title"]
    list_select_related = ["incident", "author"]
    inlines = [ReviewInline, PublicationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ResponseTarget)
class ResponseTargetAdmin(RecordAdmin):
    """The response targets of the four severities, which the clocks read (crisis.clocks).

    Each severity has its row from the start (migration 0005): rows are changed here, never
    deleted, and only a missing severity may be added back (without its row the clocks use the
    settings' defaults). The severity of a row never changes: edit the other row instead.
    """

    list_display = ["severity", "acknowledgement", "cadence"]
    fields = ["severity", "acknowledgement_minutes", "update_cadence_minutes"]
    MINUTE_FIELDS = ("acknowledgement_minutes", "update_cadence_minutes")

    @admin.display(description="first acknowledgement within", ordering="acknowledgement_minutes")
    def acknowledgement(self, target):
        return describe_duration(timedelta(minutes=target.acknowledgement_minutes))

    @admin.display(description="public update every", ordering="update_cadence_minutes")
    def cadence(self, target):
        return describe_duration(timedelta(minutes=target.update_cadence_minutes))

    def has_add_permission(self, request):
        severities = ResponseTarget._meta.get_field("severity").choices
        return super().has_add_permission(request) and ResponseTarget.objects.count() < len(
            severities
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and "severity" not in readonly:
            readonly.append("severity")
        return readonly

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.MINUTE_FIELDS:
            # Said next to the field, before the database constraint would refuse it.
            kwargs["min_value"] = 1
        return super().formfield_for_dbfield(db_field, request, **kwargs)
