"""What the admin site may do with our records, shared by every app's admin.

The admin is for users, groups and configuration. Incidents, parties and statements change in the
app, where the lifecycle and the approval rules apply; here they are read, and corrected by hand
only where the app allows it. Nothing is ever deleted (history would lose its actors and records
their trail) and simple-history's "Revert" is off (it would bypass every rule at once).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as StockGroupAdmin
from django.contrib.auth.admin import UserAdmin as StockUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.text import capfirst
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from crisis import audit
from crisis.fields import ChoiceListField, within_calendar
from crisis.forms import BoundedModelMultipleChoiceField
from crisis.models import SecurityEvent
from crisis.roles import ROLE_PERMISSIONS


class LabelledFormsMixin:
    """Every input of an admin form gets a name a screen reader can say, and a list of records
    to pick refuses ids no database column holds (instead of a server error).

    The stock split date-and-time widget shows "Date:" and "Time:" as bare text beside its two
    inputs, so neither is labelled; a list of choices would get the admin's text input (showing
    ``['x', 'facebook']``, which the form then rejects) instead of its labelled checkboxes.
    """

    formfield_overrides = {ChoiceListField: {"widget": forms.CheckboxSelectMultiple}}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
            formfield.validators.append(within_calendar)
        if formfield is not None and isinstance(formfield.widget, widgets.AdminSplitDateTime):
            name = capfirst(db_field.verbose_name)
            date, time = formfield.widget.widgets
            date.attrs["aria-label"] = f"{name}: date"
            time.attrs["aria-label"] = f"{name}: time"
        return formfield


class RecordAdmin(LabelledFormsMixin, SimpleHistoryAdmin):
    """A history-tracked record: readable with its full history, never deleted, never reverted.

    The history list and each past version stay readable (a past version shows as text, not as
    a form); a POST to a past version's page, which simple-history would save as a revert, is
    refused.
    """

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied("Reverting is turned off: change the record in the app.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        if _on_a_past_version(request):
            return [field.name for field in self.model._meta.fields if field.name != "id"]
        return super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        obj._change_reason = "Changed in the admin site"
        super().save_model(request, obj, form, change)


def _on_a_past_version(request):
    match = request.resolver_match
    return match is not None and match.url_name.endswith("_simple_history")


# The stock two-list picker of users' groups and groups' permissions draws its search boxes with
# markup that screen readers reject (aria-label on a plain span): plain labelled lists instead.

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(LabelledFormsMixin, StockGroupAdmin):
    """The role groups (Comms, Managers) carry the permissions every rule relies on: they are
    never deleted here (deleting one would strip everyone in it of their role at once). Other
    groups an admin made may be deleted."""

    filter_horizontal = ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name in ROLE_PERMISSIONS:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete would pass by the check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(User)
class UserAdmin(LabelledFormsMixin, StockUserAdmin):
    """People are deactivated, never deleted: their name stays on everything they did."""

    filter_horizontal = ()

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            # Groups are few: checkboxes show them all at a glance.
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "is_active":
            kwargs["help_text"] = DEACTIVATE_HELP
        return super().formfield_for_dbfield(db_field, request, **kwargs)


DEACTIVATE_HELP = (
    "Untick to deactivate: the person can no longer sign in, and their name stays on every "
    "incident, statement and change they made. Users are never deleted."
)


# The sign-in audit, and the people's two-factor devices.


class ReadOnlyAdminMixin:
    """A record the app writes and the admin site only reads: never added, changed or deleted
    here (its page shows it; a POST to it is refused)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Sign-ins, refusals, lockouts and two-factor changes: read only, never added, changed or
    deleted here (crisis.audit writes them)."""

    list_display = ("at", "kind", "username", "ip_address", "detail")
    list_filter = ("kind", "at")
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user",)


class DeviceAdmin(admin.ModelAdmin):
    """A person's authenticator app or recovery codes: seen, and removed when a phone is lost
    (the person then sets the app up again at their next sign-in). Never added or edited here,
    and the secret is never shown. Each removal is recorded in the sign-in audit."""

    list_display = ("user", "name", "confirmed")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, self.model.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            audit.record(
                SecurityEvent.Kind.TWO_FACTOR_REMOVED,
                request=request,
                user=device.user,
                detail=f"{device.name} removed in the admin site by {request.user.get_username()}",
            )
        queryset.delete()


for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
    admin.site.register(_device_model, DeviceAdmin)


# The outbound pipeline's channels and outbox (crisis.outbound).
from crisis.outbound import admin as _outbound_admin  # noqa: E402, F401
