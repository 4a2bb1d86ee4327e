"""The four-eyes rule, once for every record that has a second pair of eyes.

A statement is reviewed and a public update is published by someone who wrote none of it:
neither as its author nor by saving a change to its words. Each record names the fields that
count as writing, the permission of the second pair of eyes and what a refused user is told;
the rule itself lives here.
"""

from django.contrib.auth import get_user_model
from django.db import models

from crisis.history import contributors


class FourEyesQuerySet(models.QuerySet):
    def writers(self):
        """``{pk: ids of everyone who changed the words}`` for the records of this queryset
        (see :meth:`FourEyes.writers`). Queries the history once."""
        return self.model.writers_of(self.values("pk"))


class FourEyes:
    """Mixed into a model whose second pair of eyes (reviewer, publisher) wrote none of it."""

    # Set by each record.
    # Whoever saved a change to these is one of the record's writers.
    WRITING_FIELDS = ()
    # The permission of the second pair of eyes.
    SECOND_EYES_PERMISSION = ""
    # What a refused user is told: without the permission, as the author, as a contributor.
    FOUR_EYES_REFUSALS = {"permission": "", "author": "", "contributor": ""}

    @classmethod
    def writers_of(cls, ids):
        """``{pk: ids of everyone who saved a change to the WRITING_FIELDS}`` for the records
        ``ids`` (a list or a pk subquery). Queries the history once."""
        return contributors(cls, ids, cls.WRITING_FIELDS)

    def writers(self):
        """Ids of everyone who saved a change to the words. Queries the history once; for many
        records use :meth:`FourEyesQuerySet.writers`."""
        return self.writers_of([self.pk])[self.pk]

    def share_in_writing(self, user, writers=None):
        """``"author"``, ``"contributor"`` (saved a change to the words) or ``""``.

        ``writers`` is :meth:`writers`, when already known; otherwise the history is queried
        once (not for the author).
        """
        if user.pk is None:
            return ""
        if user.pk == self.author_id:
            return "author"
        if writers is None:
            writers = self.writers()
        return "contributor" if user.pk in writers else ""

    def four_eyes_refusal(self, user, writers=None):
        """Why ``user`` may not be the second pair of eyes, or ``""`` if they may: they hold the
        permission and wrote none of it. Queries as :meth:`share_in_writing` does, and only for
        someone who holds the permission."""
        if not user.has_perm(self.SECOND_EYES_PERMISSION):
            return self.FOUR_EYES_REFUSALS["permission"]
        share = self.share_in_writing(user, writers)
        return self.FOUR_EYES_REFUSALS[share] if share else ""

    def eligible_second_eyes(self, writers=None):
        """The active users who may be the second pair of eyes by :meth:`four_eyes_refusal`:
        holders of the permission, less everyone who wrote any of it. A user queryset; queries
        the history once first unless ``writers`` is given."""
        if writers is None:
            writers = self.writers()
        return (
            get_user_model()
            .objects.with_perm(
                self.SECOND_EYES_PERMISSION,
                is_active=True,
                include_superusers=True,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            .exclude(pk__in={self.author_id, *writers} - {None})
        )
