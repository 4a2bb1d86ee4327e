from datetime import timedelta

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from crisis.admin import LabelledFormsMixin, RecordAdmin, _on_a_past_version
from crisis.templatetags.crisis_tags import describe_duration
from responses.branding import clean_logo
from responses.models import (
    ApprovalChain,
    ChainStage,
    PlanTemplate,
    PlanTemplateItem,
    Publication,
    PublicProfile,
    ResponseTarget,
    Review,
    Statement,
)
from responses.plans import PLACEHOLDERS


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["statement_version", "stage", "decision", "reviewer", "comment", "created_at"]
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


class ColumnLabelsMixin:
    """A tabular inline whose inputs name themselves: a table's column heading is no label."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
        return formfield


class PlanTemplateItemInline(ColumnLabelsMixin, LabelledFormsMixin, admin.TabularInline):
    """The playbook's steps, edited in place. A row is left out with "in use", never deleted."""

    model = PlanTemplateItem
    extra = 1
    fields = [
        "position",
        "kind",
        "title",
        "details",
        "due_after_hours",
        "default_owner",
        "is_public",
        "is_active",
    ]
    ordering = ["position", "pk"]
    can_delete = False
    # A playbook holds at most this many steps. A form claiming more (its items-TOTAL_FORMS says
    # how many rows it sends) is refused after building this many rows, not after building and
    # showing Django's limit of 2,000: a minute's work and a 7 MB page for one request.
    max_num = MAX_STEPS = 200

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.MAX_STEPS)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "details":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(PlanTemplate)
class PlanTemplateAdmin(RecordAdmin):
    """The company's playbooks. Retired (unticked "active"), never deleted: incidents remember
    which template they applied."""

    list_display = ["name", "category", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["name", "description", "holding_statement"]
    fields = ["name", "category", "description", "holding_statement", "is_active"]
    inlines = [PlanTemplateItemInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "holding_statement":
            formfield.help_text = (
                f"{db_field.help_text} Placeholders: "
                + "; ".join(f"{{{name}}}: {meaning}" for name, meaning in PLACEHOLDERS.items())
                + ". Write a brace twice ({{ or }}) to show it as it is."
            )
        return formfield

    def save_formset(self, request, form, formset, change):
        for item_form in formset.forms:
            item_form.instance._change_reason = "Changed in the admin site"
        super().save_formset(request, form, formset, change)


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


class PublicProfileForm(forms.ModelForm):
    """The profile's fields, and the logo as an upload: redrawn as a PNG (responses.branding)
    or refused with a message under the field."""

    logo_upload = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG, GIF or WebP (not SVG). It is shown at most 600 × 200 pixels.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = PublicProfile
        fields = ["company_name", "accent_colour", "logo_alt"]

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        return clean_logo(upload) if upload else None


@admin.register(PublicProfile)
class PublicProfileAdmin(RecordAdmin):
    """The company as the audience sees it on the public pages: one row, added once, then
    changed (never deleted: the pages fall back to COMPANY_NAME without it)."""

    form = PublicProfileForm
    fields = ["company_name", "logo_upload", "logo_preview", "remove_logo", "logo_alt"]
    fields += ["accent_colour", "text_colour"]
    readonly_fields = ["logo_preview", "text_colour"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PublicProfile.objects.exists()

    def get_readonly_fields(self, request, obj=None):
        # The logo's bytes are not in history: a past version shows the rest.
        names = [name for name in super().get_readonly_fields(request, obj) if name != "logo"]
        return list(dict.fromkeys([*names, "logo_preview", "text_colour"]))

    def get_fields(self, request, obj=None):
        if _on_a_past_version(request):
            return ["company_name", "logo_sha", "logo_alt", "accent_colour"]
        return super().get_fields(request, obj)

    @admin.display(description="Current logo")
    def logo_preview(self, obj):
        if not obj or not obj.logo_sha:
            return "None"
        return format_html(
            '<img src="{}" alt="{}" class="public-logo">',
            reverse("responses:public-logo", args=[obj.logo_sha]),
            obj.shown_logo_alt,
        )

    @admin.display(description="Text on the accent")
    def text_colour(self, obj):
        if not obj or not obj.accent_colour:
            return "White, on the default blue"
        return "White" if obj.accent_text == "#ffffff" else "Black"

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("logo_upload"):
            obj.set_logo(form.cleaned_data["logo_upload"])
        elif form.cleaned_data.get("remove_logo"):
            obj.set_logo(b"")
        super().save_model(request, obj, form, change)


class ChainStageInline(ColumnLabelsMixin, LabelledFormsMixin, admin.TabularInline):
    """A chain's stages in their order. A running review round keeps the copy it was given, so
    stages may be changed or removed here without touching a statement in review."""

    model = ChainStage
    extra = 1
    min_num = 1
    fields = ["position", "name", "group", "backups", "minutes_to_decide"]
    ordering = ["position", "pk"]
    # Records are never deleted here: retire the chain and make a new one to drop a stage.
    can_delete = False
    # A chain of more stages than this is surely a mistake, and each is a person's wait.
    max_num = MAX_STAGES = 10

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.MAX_STAGES)
        kwargs.setdefault("validate_min", True)
        return super().get_formset(request, obj, **kwargs)


@admin.register(ApprovalChain)
class ApprovalChainAdmin(RecordAdmin):
    """Who approves a statement's wording, stage after stage, per incident category and from a
    severity. Where none applies, one manager approves (the default). Retired (unticked
    "active"), never deleted: review rounds name the chain they were copied from."""

    list_display = ["name", "category", "min_severity", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["name"]
    fields = ["name", "category", "min_severity", "is_active"]
    inlines = [ChainStageInline]
