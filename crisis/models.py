from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from crisis import timekeeper
from crisis.fields import ChoiceListField
from crisis.outbound.events import PushTopic
from crisis.outbound.models import (  # noqa: F401  (the outbox's tables)
    ChatChannel,
    Delivery,
    PushSubscription,
)
from crisis.time_zones import validate_zone

# A double click or a Back-and-send-again comes within seconds, so a receipt is kept a week;
# `send_reminders` deletes older ones.
SUBMISSION_RECEIPT_KEPT = timedelta(days=7)


def submission_receipts_expire_before(now=None):
    """Receipts of forms sent before this moment are no longer needed."""
    return (now or timekeeper.now()) - SUBMISSION_RECEIPT_KEPT


class SubmissionTokenQuerySet(models.QuerySet):
    def prune(self, now=None):
        """Delete the receipts kept past their time (SUBMISSION_RECEIPT_KEPT) and
        return how many. Queries the database (one DELETE)."""
        expired = self.filter(created_at__lt=submission_receipts_expire_before(now))
        deleted, _by_model = expired.delete()
        return deleted


class SubmissionToken(models.Model):
    """The receipt of one sent creating form: its one-time token and what it created.

    A double click or Back-and-send-again posts the same token twice; the unique constraint lets
    only the first through, and the second is sent to what the first created. Not history-tracked:
    an append-only log of receipts, never edited, and pruned after a week by ``send_reminders``.
    """

    token = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_tokens"
    )
    created_at = models.DateTimeField(default=timekeeper.now)
    created_url = models.CharField("what it created", max_length=500, blank=True)

    objects = SubmissionTokenQuerySet.as_manager()

    class Meta:
        constraints = [
            # The idempotency guard itself: a token is used once per person (OnceForm.save_once).
            models.UniqueConstraint(fields=["user", "token"], name="submission_token_once"),
        ]

    def __str__(self):
        return f"{self.token} → {self.created_url or '…'}"


class SecurityEvent(models.Model):
    """One sign-in, failed sign-in, lockout or change to someone's two-factor sign-in.

    Append-only: written by :func:`crisis.audit.record` only, never changed or deleted (the admin
    site shows it read-only). The username is kept as typed, so a failed attempt for a name that
    does not exist is recorded too, and the name survives whatever happens to the account.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed-in", "Signed in (password)"
        SIGN_IN_FAILED = "sign-in-failed", "Sign-in refused"
        LOCKED_OUT = "locked-out", "Locked out after repeated failures"
        SIGNED_OUT = "signed-out", "Signed out"
        CODE_ACCEPTED = "code-accepted", "Two-factor code accepted"
        RECOVERY_CODE_USED = "recovery-code-used", "Recovery code used"
        CODE_REFUSED = "code-refused", "Two-factor code refused"
        TWO_FACTOR_ENROLLED = "two-factor-enrolled", "Two-factor sign-in set up"
        RECOVERY_CODES_RENEWED = "recovery-codes-renewed", "New recovery codes made"
        TWO_FACTOR_REMOVED = "two-factor-removed", "Two-factor sign-in removed"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(default=timekeeper.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Users are deactivated, never deleted; should one be, the username stays.
        on_delete=models.SET_NULL,
        related_name="security_events",
    )
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The admin's list, newest first, and one person's events.
            models.Index(fields=["-at"], name="security_event_at"),
            models.Index(fields=["user", "-at"], name="security_event_user_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.username or '(no username)'}"


PHONE_MAX_LENGTH = 32
# Digits, spaces, a leading +, dashes and parentheses, at least one digit: "+44 (0)20 7946-0000".
validate_phone = RegexValidator(
    r"^\+?[0-9 ()\-]*[0-9][0-9 ()\-]*$",
    "Type a phone number: digits, spaces, a leading +, dashes and parentheses only.",
)


class Profile(models.Model):
    """What a person keeps on their account beyond Django's user: the time zone they read and
    type times in (blank: the company's, the TIME_ZONE setting), the phone number and deputy
    the team's contact sheet shows, and the notifications they turned off for their browsers.
    Made on first save from the Account page; a person without one reads the company's zone,
    shows no phone or deputy, and is notified of everything that concerns them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_zone],
        help_text="Blank: the company's time zone.",
    )
    phone = models.CharField(
        "phone number",
        max_length=PHONE_MAX_LENGTH,
        blank=True,
        validators=[validate_phone],
        help_text="Shown on the team's contact sheet.",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # A deputy who is deleted (people are deactivated, not deleted) leaves the place empty.
        on_delete=models.SET_NULL,
        related_name="deputy_for",
        help_text="Who stands in for you when you cannot be reached.",
    )
    # Kept as what was turned off, so that a new kind of notification, and a person who never
    # chose, get everything (crisis.outbound.events.PUSH_TOPIC_OF).
    push_muted = ChoiceListField(
        "notifications turned off", item_choices=PushTopic.choices, max_length=200
    )

    def __str__(self):
        return f"Profile of {self.user}"

    def clean(self):
        super().clean()
        if self.deputy_id is not None and self.deputy_id == self.user_id:
            raise ValidationError({"deputy": "Your deputy is someone else, not you."})

    @property
    def push_wanted(self):
        """The kinds of notification this person keeps on."""
        return [topic for topic in PushTopic.values if topic not in self.push_muted]
