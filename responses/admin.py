from django.contrib import admin

from crisis.admin import RecordAdmin
from responses.models import Publication, Review, Statement


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
