from django.contrib import admin

from crisis.admin import RecordAdmin
from incidents.models import AffectedParty, Incident


class AffectedPartyInline(admin.TabularInline):
    """The incident's parties, listed; each is changed on its own page (or in the app)."""

    model = AffectedParty
    extra = 0
    fields = ["kind", "description", "estimated_count", "outreach_status", "is_public"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(RecordAdmin):
    list_display = ["reference", "title", "status", "severity", "category", "lead", "declared_at"]
    list_filter = ["status", "severity", "category", "is_drill"]
    search_fields = ["reference", "title", "summary"]
    list_select_related = ["lead"]
    # At years of incidents: no date hierarchy (a DISTINCT over every year on each visit; the
    # list's date filters do that job), and no second, unfiltered count beside the filtered one.
    show_full_result_count = False
    # Newest first, with the tie-breaker the index incident_newest holds.
    ordering = ["-declared_at", "-id"]
    # Status and its timestamps move only through the lifecycle verbs, never by hand here.
    readonly_fields = [
        "reference",
        "status",
        "declared_at",
        "declared_by",
        "first_acknowledged_at",
        "resolved_at",
        "closed_at",
        "cancelled_at",
        "cancel_reason",
    ]
    inlines = [AffectedPartyInline]

    def get_search_results(self, request, queryset, search_term):
        # The app's own search, through the full-text index, rather than LIKE over every row.
        return queryset.search(search_term), False

    def has_add_permission(self, request):
        # Incidents are declared in the app, which hands out the reference.
        return False

    def has_change_permission(self, request, obj=None):
        # A closed or cancelled incident is frozen: shown here, never changed.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # An edit here must also make open edit forms in the app stale.
        obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(AffectedParty)
class AffectedPartyAdmin(RecordAdmin):
    list_display = ["description", "kind", "incident", "outreach_status", "is_public"]
    list_filter = ["kind", "outreach_status", "is_public"]
    search_fields = ["description", "incident__reference", "incident__title"]
    list_select_related = ["incident"]
    readonly_fields = ["incident"]

    def has_add_permission(self, request):
        # Parties are added in the app, on their incident's page.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.incident.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
