"""The outbox and the chat channels in the admin site.

Deliveries are read here, never edited or deleted: their last error, attempts and next attempt
say what happened, and "Retry now" sends a failed or waiting one again. Channels are added and
changed here; a secret is written once and never shown back (leave the field blank to keep it).
Neither is ever deleted: a channel is deactivated, so its deliveries keep their destination.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

# Imported by crisis.admin once its shared mixin is defined.
from crisis.admin import LabelledFormsMixin
from crisis.outbound.events import enqueue
from crisis.outbound.models import WEBHOOK_URL, ChatChannel, Delivery


class ChatChannelForm(forms.ModelForm):
    url = forms.URLField(
        label="Webhook URL", max_length=1000, assume_scheme="https", validators=[WEBHOOK_URL]
    )
    secret = forms.CharField(
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Signs the generic webhook's requests (HMAC-SHA256). Never shown again: "
        "leave blank to keep the one saved.",
    )

    class Meta:
        model = ChatChannel
        fields = ("name", "kind", "url", "secret", "events", "severities", "is_active")

    def clean_secret(self):
        # A blank field keeps the stored secret; the form never sends it to the browser.
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")


@admin.register(ChatChannel)
class ChatChannelAdmin(LabelledFormsMixin, admin.ModelAdmin):
    form = ChatChannelForm
    list_display = ("name", "kind", "is_active", "has_secret")
    list_filter = ("kind", "is_active")

    @admin.display(boolean=True, description="secret set")
    def has_secret(self, obj):
        return bool(obj.secret)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "destination",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    )
    list_filter = ("status", "channel", "event", "is_drill")
    search_fields = ("key", "recipient", "title")
    list_select_related = ("chat_channel",)
    actions = ["retry_now"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # "Retry now" on the list needs it; a delivery itself is only read (its page is shown,
        # a POST to it refused).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request, queryset):
        """Send the chosen failed or waiting deliveries again, with a fresh count of attempts;
        sent and refused ones are left alone (a drill stays inside)."""
        retried = Delivery.retry_now(queryset)
        if retried:
            transaction.on_commit(lambda: enqueue(retried))
        skipped = queryset.count() - len(retried)
        self.message_user(request, f"{len(retried)} delivery(ies) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} left alone: already sent, sending, or refused.",
                messages.WARNING,
            )
