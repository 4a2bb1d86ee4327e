"""Incident references (``CR-2026-014``): numbered per year, never reused."""

from django.db import models


class ReferenceCounter(models.Model):
    """The last incident number handed out per year, so references are never reused."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_reference(cls, year):
        """Take the next number of ``year`` (``CR-2026-014``). Queries and locks the counter row.

        Must run inside the caller's transaction: two declarations at once queue on the lock.
        """
        counter, _created = cls.objects.select_for_update().get_or_create(year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return f"CR-{year}-{counter.last_number:03d}"
