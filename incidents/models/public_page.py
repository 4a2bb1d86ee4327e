"""The incident's side of its public page: the title the audience reads, and opening and closing
the page. Kept apart from the lifecycle in incident.py; the page itself is the responses app's."""

import secrets

from django.db import transaction

from crisis.lifecycle import TransitionRefused

# What the audience reads as an incident's name until it has a public title (an incident that
# was already public before the title was required): never the internal title.
NEUTRAL_PUBLIC_TITLE = "Service notice"
PUBLIC_TITLE_MISSING = (
    "Give the incident a public title first (Edit incident → Public title): the audience "
    "never sees the internal title."
)


class PublicPage:
    """Mixed into :class:`incidents.models.Incident`."""

    @property
    def shown_public_title(self):
        return self.public_heading(self.public_title)

    @staticmethod
    def public_heading(public_title):
        """The incident's name for the audience: its public title, never the internal title
        (which may name a customer, a supplier or a number); a neutral one until it has one."""
        return public_title.strip() or NEUTRAL_PUBLIC_TITLE

    @property
    def has_public_title(self):
        return bool(self.public_title.strip())

    def refuse_without_public_title(self):
        """Raise TransitionRefused unless the audience has a public title to read."""
        if not self.has_public_title:
            raise TransitionRefused(PUBLIC_TITLE_MISSING)

    def open_public_page(self, *, by):
        """Publish the incident's public page. Queries and locks the row.

        The first opening makes the unguessable token; later openings reuse it. Not a lifecycle
        move, so the version stays: an incident form open elsewhere is not made stale by it.
        """
        return self._set_public_page(True, by=by, reason="Public page opened")

    def close_public_page(self, *, by):
        """Take the public page offline (its link answers 404 until opened again)."""
        return self._set_public_page(False, by=by, reason="Public page closed")

    def _set_public_page(self, is_open, *, by, reason):
        if by is None or not by.has_perm("incidents.manage_public_page"):
            raise TransitionRefused("Only a manager may open or close the public page.")
        with transaction.atomic():
            row = type(self).objects.select_for_update().get(pk=self.pk)
            if row.is_public_page_open == is_open:
                state = "open" if is_open else "closed"
                raise TransitionRefused(f"The public page is already {state}.")
            if is_open:
                row.refuse_if_frozen()
                row.refuse_without_public_title()
            # Taking the page down stays possible on a frozen incident (it is recorded in
            # history like every change); opening it again is not.
            row._allow_while_frozen()
            if is_open and not row.public_token:
                row.public_token = secrets.token_urlsafe(24)
            row.is_public_page_open = is_open
            row._save_as(by, reason)
        self._copy_from(row)
        return row
