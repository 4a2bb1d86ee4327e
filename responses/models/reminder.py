"""Reminders sent by ``send_reminders``: one row per reminder, so it is never sent twice, even
from two hosts at once (the unique key decides)."""

from django.db import models

from crisis import timekeeper


class SentReminder(models.Model):
    # What the reminder is about and which moment, e.g. "ack-overdue:incident:42:2026-11-25T10:00".
    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timekeeper.now)
    recipients = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return self.key
