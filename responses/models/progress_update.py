"""Progress updates: the team's internal log, and public updates that keep the audience informed
on the cadence we promised."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from crisis import clocks, timekeeper
from crisis.fields import ChoiceListField
from crisis.lifecycle import (
    Move,
    TransitionRefused,
    VersionedModel,
    clean_reason,
)
from incidents.models import Platform
from incidents.models.incident import FROZEN_INCIDENT_STATUSES, Incident
from responses.lengths import length_errors
from responses.models.four_eyes import FourEyes, FourEyesQuerySet

ADD_PERMISSION = "responses.add_progressupdate"
CHANGE_PERMISSION = "responses.change_progressupdate"
PUBLISH_PERMISSION = "responses.publish_progressupdate"

# A readable size for an update on the public page; more is a statement or a help page.
BODY_MAX_LENGTH = 5000


def clean_body(body):
    """The one check of an update's text: line breaks as the audience sees them, stripped, not
    empty, at most BODY_MAX_LENGTH long. Raises :class:`TransitionRefused` with a message."""
    body = (body or "").replace("\r\n", "\n").strip()
    if "\x00" in body:
        # Databases refuse NUL in text (PostgreSQL with an error); nobody types one on purpose.
        raise TransitionRefused("The text holds a NUL character; remove it and try again.")
    if not body:
        raise TransitionRefused("Write the update first: an empty update tells nobody anything.")
    if len(body) > BODY_MAX_LENGTH:
        raise TransitionRefused(
            f"Keep an update to {BODY_MAX_LENGTH:,} characters (this one has {len(body):,})."
        )
    return body


def promise_refusal(next_update_at, now=None):
    """Why ``next_update_at`` cannot be promised to the audience, or ``""`` if it can: a promise
    is a time still to come. The one rule, for the forms and the verbs alike."""
    if next_update_at is None:
        return "Say when the next update will come."
    now = now or timekeeper.now()
    if next_update_at <= now:
        current = date_format(timezone.localtime(now), "j M Y, H:i T")
        return (
            "The next update cannot be promised for a time that has already passed "
            f"(it is now {current}). Choose a later time."
        )
    return ""


class ProgressUpdateQuerySet(FourEyesQuerySet):
    def published_public(self):
        return self.filter(kind=ProgressUpdate.Kind.PUBLIC, status=ProgressUpdate.Status.PUBLISHED)

    def awaiting_publication_by(self, user):
        """The public drafts ``user`` may publish now (:meth:`ProgressUpdate.publish_refusal`),
        oldest first, as a list. Two queries however many: the drafts, their history."""
        if not user.has_perm(PUBLISH_PERMISSION):
            return []
        # Narrowed in SQL to what publish_refusal would refuse anyway; publish_refusal decides.
        updates = list(
            self.filter(kind=ProgressUpdate.Kind.PUBLIC, status=ProgressUpdate.Status.DRAFT)
            .exclude(author=user)
            .exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)
            .select_related("incident", "author")
            .order_by("created_at", "pk")
        )
        writers = ProgressUpdate.writers_of([u.pk for u in updates])
        return [u for u in updates if u.may_publish(user, writers[u.pk])]


class ProgressUpdate(FourEyes, VersionedModel):
    class Kind(models.TextChoices):
        INTERNAL = "internal", "Internal"
        PUBLIC = "public", "Public"

    class Status(models.TextChoices):
        # An internal update is posted at once; a public one is drafted, then published by a
        # manager who did not write it.
        POSTED = "posted", "Posted"
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MOVES = {
        "publish": Move(
            frozenset({Status.DRAFT}),
            Status.PUBLISHED,
            PUBLISH_PERMISSION,
            "Publish",
        ),
        "withdraw": Move(
            frozenset({Status.DRAFT}),
            Status.WITHDRAWN,
            CHANGE_PERMISSION,
            "Withdraw",
        ),
    }

    # PROTECT: updates are part of the record; an incident is cancelled, never deleted.
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="progress_updates"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INTERNAL)
    body = models.TextField()
    # For a public update: the platforms it goes to besides the public page (posted there by
    # Crisis Desk where an account is connected, by hand elsewhere). Empty: the public page only.
    target_platforms = ChoiceListField(
        "target platforms",
        item_choices=Platform.choices,
        help_text="Where it will be posted besides the public page. It must fit every one.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # For a public update: when the audience will hear from us next.
    next_update_at = models.DateTimeField("next update promised for", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="authored_updates",
        editable=False,
    )
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)
    published_at = models.DateTimeField("published", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdrawn_at = models.DateTimeField("withdrawn", null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("publish_progressupdate", "Can publish a public progress update"),
        ]
        indexes = [
            # The update clock reads an incident's latest published public update.
            models.Index(
                fields=["incident", "kind", "status", "-published_at"],
                name="update_incident_published",
            ),
            # The dashboard's public drafts waiting for publication, oldest first: read in
            # order, without scanning every incident or every update for the few drafts.
            models.Index(
                fields=["kind", "status", "created_at"], name="update_kind_status_created"
            ),
        ]
        constraints = [
            # The update clock and the public page read published_at.
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="update_published_has_time",
            ),
            # Internal updates are posted; only public ones are drafted and published.
            models.CheckConstraint(
                condition=Q(kind="internal", status="posted")
                | Q(kind="public", status__in=["draft", "published", "withdrawn"]),
                name="update_status_fits_kind",
            ),
            # Every published public update promises the next one.
            models.CheckConstraint(
                condition=~Q(kind="public", status="published") | Q(next_update_at__isnull=False),
                name="update_public_promises_next",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} update #{self.pk}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.incident.reference]) + f"#update-{self.pk}"

    def frozen_incident_id(self):
        return self.incident_id

    @property
    def is_public(self):
        return self.kind == self.Kind.PUBLIC

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def platform_labels(self):
        return self._meta.get_field("target_platforms").labels(self.target_platforms)

    def clean(self):
        """The text must fit every target platform, as a statement's must (responses.lengths):
        the form shows which one, by how much."""
        super().clean()
        errors = length_errors(self.body, self.target_platforms)
        if errors:
            raise ValidationError({"body": errors})

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_editable(self):
        """Whether the text and the promise may still change: a public draft of an incident
        that is not frozen. No queries once the incident is loaded."""
        return not self.edit_refusal()

    def edit_refusal(self):
        """Why the text and the promise may not change now, or ``""``: only a public draft is
        edited, and a frozen incident freezes it. No queries once the incident is loaded; the
        edit verb asks it of the locked row."""
        if not (self.is_public and self.is_draft):
            return (
                f"A {self.get_status_display().lower()} {self.get_kind_display().lower()} "
                "update cannot be edited. Write a new update instead."
            )
        if not self.incident.is_editable:
            return self.incident.frozen_notice()
        return ""

    # Who may publish. There is no approval step: the publisher is the second pair of eyes, so
    # the four-eyes rule (responses.models.four_eyes) holds: a publisher holds the permission and
    # wrote none of the text. The verb, the incident page's buttons, the dashboard and the mail
    # all go through publish_refusal. Changing only the promise makes nobody a writer.
    WRITING_FIELDS = ("body",)
    SECOND_EYES_PERMISSION = PUBLISH_PERMISSION
    FOUR_EYES_REFUSALS = {
        "permission": "Only a manager may publish a public update.",
        "author": "You wrote this update, so another manager must publish it.",
        "contributor": "You changed this update's text, so another manager must publish it.",
    }

    def publish_refusal(self, user, writers=None):
        """Why ``user`` may not publish this update now, or ``""`` if they may. Queries as
        :meth:`share_in_writing` does (pass ``writers`` to avoid it in lists)."""
        if not self.is_public:
            return "An internal update stays in the team's log; it is never published."
        if not self.is_draft:
            return f"Only a draft can be published; this update is {self.get_status_display()}."
        if not self.incident.is_editable:
            return "The incident is frozen: its updates are no longer published."
        return self.four_eyes_refusal(user, writers)

    def may_publish(self, user, writers=None):
        """Whether ``user`` may publish now. Queries as :meth:`publish_refusal` does."""
        return not self.publish_refusal(user, writers)

    def default_publish_promise(self, now=None):
        """What the publish button offers to promise: the draft's promise while it is still to
        come, else the incident's default. No queries once the incident is loaded."""
        if not promise_refusal(self.next_update_at, now):
            return self.next_update_at
        return clocks.default_next_update_at(self.incident, now)

    # The verbs. Each saves with ``by`` and a reason in history and refuses on a frozen incident.

    @classmethod
    def post_internal(cls, *, incident, by, body):
        """Post an update to the team's log at once. Queries the database."""
        _require(by, ADD_PERMISSION, "Only Comms or a manager may post an update.")
        update = cls(
            incident=incident,
            kind=cls.Kind.INTERNAL,
            status=cls.Status.POSTED,
            body=clean_body(body),
            author=by,
        )
        update._save_as(by, "Posted")
        return update

    @classmethod
    def draft_public(cls, *, incident, by, body, next_update_at=None, target_platforms=()):
        """Draft a public update for a manager to publish, promising the next one by
        ``next_update_at`` (by default the incident's cadence from now) and going to
        ``target_platforms`` besides the public page; the managers who may publish it hear by
        mail. Queries the database."""
        from responses import services

        _require(by, ADD_PERMISSION, "Only Comms or a manager may draft a public update.")
        body = clean_body(body)
        if next_update_at is None:
            next_update_at = clocks.default_next_update_at(incident)
        _refuse_promise(next_update_at)
        update = cls(
            incident=incident,
            kind=cls.Kind.PUBLIC,
            status=cls.Status.DRAFT,
            body=body,
            next_update_at=next_update_at,
            target_platforms=list(target_platforms),
            author=by,
        )
        with transaction.atomic():
            update._save_as(by, "Drafted for publication")
            services.mail_update_awaits_publication(update)
        return update

    def save_draft(self, *, by, expected_version, fields):
        """Save an edit of a public draft's text or promise from the form. Queries and locks the
        row (see ``save_edit``): a stale form, a published or withdrawn update, an empty text and
        a new promise in the past are refused."""
        _require(by, CHANGE_PERMISSION, "Only Comms or a manager may edit an update.")
        if "body" in fields:
            self.body = clean_body(self.body)

        def only_drafts(row, changed):
            if not (row.is_public and row.is_draft):
                raise TransitionRefused(row.edit_refusal())
            if "next_update_at" in changed:
                _refuse_promise(self.next_update_at)
            return None

        return self.save_edit(
            by=by, expected_version=expected_version, fields=fields, before_save=only_drafts
        )

    def publish(self, *, by, next_update_at=None, version=None):
        """Publish this public draft, promising the next update by ``next_update_at`` (by
        default the draft's promise). ``version``, when given, is the version the publisher
        read: a text changed since is refused rather than published unread; a text too long for
        a target platform is refused. Queries and locks the row (see
        VersionedModel._transition), records the incident's latest public word and its promise,
        and queues the posts to the connected accounts, in the same transaction."""
        from responses import posting, services

        _require(by, PUBLISH_PERMISSION, "Only a manager may publish a public update.")

        def check(row):
            refusal = row.publish_refusal(by)
            if refusal:
                raise TransitionRefused(refusal)
            if version is not None and row.version != version:
                raise TransitionRefused(
                    "The update changed after you opened it. Read the new text, then publish."
                )
            _refuse_promise(next_update_at or row.next_update_at)
            _refuse_too_long(row)

        with transaction.atomic():
            row = self._transition(
                "publish",
                by=by,
                reason="Published",
                check=check,
                changes=lambda row: {
                    "published_at": timekeeper.now(),
                    "published_by": by,
                    "next_update_at": next_update_at or row.next_update_at,
                },
            )
            Incident.objects.filter(pk=row.incident_id).record_public_word(
                row.published_at, row.next_update_at
            )
            services.announce_update_published(row)
            # Posted for real where an account is connected, by a job after the commit.
            posting.queue_posts(row)
        return row

    def withdraw(self, *, by, reason=""):
        """Withdraw a public draft: it will not be published. Queries and locks the row."""
        reason = clean_reason(reason)
        return self._transition(
            "withdraw",
            by=by,
            reason="Withdrawn" + (f": {reason}" if reason else ""),
            changes={"withdrawn_at": timekeeper.now()},
        )


def _require(user, permission, message):
    if user is None or not user.has_perm(permission):
        raise TransitionRefused(message)


def _refuse_promise(next_update_at):
    refusal = promise_refusal(next_update_at)
    if refusal:
        raise TransitionRefused(refusal)


def _refuse_too_long(row):
    errors = length_errors(row.body, row.target_platforms)
    if errors:
        raise TransitionRefused(
            " ".join(errors) + " Shorten it or change the platforms before it is published."
        )
