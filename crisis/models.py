from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmissionToken(models.Model):
    """The receipt of one sent creating form: its one-time token and what it created.

    A double click or Back-and-send-again posts the same token twice; the unique constraint lets
    only the first through, and the second is sent to what the first created. Not history-tracked:
    an append-only log of receipts, never edited.
    """

    token = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_tokens"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_url = models.CharField("what it created", max_length=500, blank=True)

    class Meta:
        constraints = [
            # The idempotency guard itself: a token is used once per person (OnceForm.save_once).
            models.UniqueConstraint(fields=["user", "token"], name="submission_token_once"),
        ]

    def __str__(self):
        return f"{self.token} → {self.created_url or '…'}"
