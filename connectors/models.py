"""The accounts Crisis Desk posts to, and every attempt to post a statement or a public update
to one of them."""

import uuid
from datetime import timedelta

from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from connectors import crypto
from crisis import timekeeper
from crisis.lifecycle import TransitionRefused
from incidents.models import Platform


class PlatformAccountQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class PlatformAccount(models.Model):
    """A Mastodon or Bluesky account that published statements are posted to. Its secret (a
    Mastodon access token, a Bluesky app password) is stored encrypted (connectors.crypto) and
    never shown back."""

    PLATFORMS = [(Platform.MASTODON, "Mastodon"), (Platform.BLUESKY, "Bluesky")]
    BLUESKY_SERVER = "https://bsky.social"

    platform = models.CharField(max_length=20, choices=PLATFORMS)
    name = models.CharField(
        max_length=100, help_text="How the team knows the account, e.g. “@acme@mastodon.social”."
    )
    server_url = models.URLField(
        "server",
        max_length=300,
        help_text="Mastodon: the instance, e.g. https://mastodon.social. Bluesky: the account’s "
        f"server (PDS), usually {BLUESKY_SERVER}.",
    )
    handle = models.CharField(
        max_length=253,
        blank=True,
        help_text="Bluesky: the handle that signs in, e.g. acme.bsky.social. Mastodon: empty.",
    )
    secret_encrypted = models.TextField(editable=False, default="")
    secret_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick to stop posting to this account."
    )
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)

    objects = PlatformAccountQuerySet.as_manager()

    class Meta:
        ordering = ["platform", "name"]
        constraints = [
            # Bluesky signs in with a handle; without one the account could never post.
            models.CheckConstraint(
                condition=~Q(platform="bluesky") | ~Q(handle=""),
                name="platformaccount_bluesky_has_handle",
            ),
        ]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.name}"

    @property
    def has_secret(self):
        return bool(self.secret_encrypted)

    def set_secret(self, secret):
        """Encrypt and keep ``secret``; ImproperlyConfigured when no key is configured."""
        self.secret_encrypted = crypto.encrypt(secret)
        self.secret_changed_at = timekeeper.now()

    def secret(self):
        """The decrypted secret, for the job only (crypto.CredentialUnreadable if no key opens
        it)."""
        return crypto.decrypt(self.secret_encrypted)


class PostAttemptQuerySet(models.QuerySet):
    def for_statement(self, statement):
        """The statement's posts, with their accounts: one query."""
        return self.filter(statement=statement).select_related("account").order_by("pk")

    def for_updates(self, update_ids):
        """The posts of the updates ``update_ids``, with their accounts: one query."""
        return self.filter(update_id__in=update_ids).select_related("account").order_by("pk")


class PostAttempt(models.Model):
    """One publication (a statement, or a public progress update) on one account: recorded
    before the platform is called, so a worker that dies mid-call leaves a row that says so
    (status Posting) and a retry that knows to look before it posts again. An operational log,
    not history-tracked."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        POSTING = "posting", "Posting"
        POSTED = "posted", "Posted"
        FAILED = "failed", "Failed"
        REFUSED = "refused", "Not posted"

    # A row left Posting this long after its call started belongs to a worker that died (the
    # call itself gives up after CONNECTOR_TIMEOUT): it may be retried.
    STALE_AFTER = timedelta(minutes=2)

    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="post_attempts"
    )
    # What is posted: exactly one of the two (see the constraint).
    statement = models.ForeignKey(
        "responses.Statement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="post_attempts",
    )
    update = models.ForeignKey(
        "responses.ProgressUpdate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="post_attempts",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # Sent as Mastodon's Idempotency-Key on every try, so the server answers a repeat with the
    # post it already made.
    idempotency_key = models.CharField(max_length=64, unique=True, default="", editable=False)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    post_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timekeeper.now)
    started_at = models.DateTimeField(null=True, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    objects = PostAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A statement goes to each account once: a retry reuses the row and its key.
            models.UniqueConstraint(
                fields=["statement", "account"], name="postattempt_once_per_account"
            ),
            models.UniqueConstraint(
                fields=["update", "account"], name="postattempt_update_once_per_account"
            ),
            # A post is of one publication: a statement or an update, never both, never none.
            models.CheckConstraint(
                condition=Q(statement__isnull=False, update__isnull=True)
                | Q(statement__isnull=True, update__isnull=False),
                name="postattempt_of_one_publication",
            ),
            # The statement page links a posted row; a posted row without its link is a bug.
            models.CheckConstraint(
                condition=~Q(status="posted") | (~Q(post_url="") & Q(posted_at__isnull=False)),
                name="postattempt_posted_has_link",
            ),
        ]

    def __str__(self):
        return f"{self.publication} on {self.account}: {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if not self.idempotency_key:
            self.idempotency_key = uuid.uuid4().hex
        super().save(*args, **kwargs)

    @property
    def publication(self):
        """The statement or the public update this posts. Queries it unless it is loaded."""
        return self.statement if self.statement_id else self.update

    @property
    def retry_permission(self):
        # Retrying is part of publishing: whoever may publish the statement or update may.
        if self.statement_id:
            return "responses.publish_statement"
        return "responses.publish_progressupdate"

    def retry_url(self):
        """Where the Retry button posts. No queries."""
        if self.statement_id:
            return reverse("connectors:post-retry", args=[self.statement_id, self.pk])
        return reverse("connectors:update-post-retry", args=[self.update_id, self.pk])

    @property
    def is_failed(self):
        return self.status == self.Status.FAILED

    def retry_refusal(self, now=None):
        """Why this post may not be tried again now, or ``""``: a failed post may; one waiting
        for its next try may go now; a post left Posting by a worker that died (see STALE_AFTER)
        may; anything else is done or under way. No queries."""
        if self.status == self.Status.FAILED:
            return ""
        if self.status == self.Status.POSTING:
            now = now or timekeeper.now()
            if self.started_at is None or now - self.started_at >= self.STALE_AFTER:
                return ""
            return "It is being posted now; wait for the outcome."
        if self.status == self.Status.REFUSED:
            return self.last_error or "It will not be posted."
        if self.status == self.Status.POSTED:
            return "It is already posted."
        if self.next_try_at is not None:
            return ""  # waiting for its next try: a manager may try it now
        return "It is already queued."

    def retry(self, *, by):
        """Queue this post again, keeping its idempotency key so the platform never shows it
        twice. Refuses (TransitionRefused) what :meth:`retry_refusal` refuses and anyone who may
        not publish. Queries and locks the row."""
        from connectors import posting

        if not by.has_perm(self.retry_permission):
            raise TransitionRefused("Only a manager may retry a post.")
        with transaction.atomic():
            row = PostAttempt.objects.select_for_update().get(pk=self.pk)
            refusal = row.retry_refusal()
            if refusal:
                raise TransitionRefused(refusal)
            # A row left Posting keeps its state: the job looks for the earlier post first.
            if row.status == self.Status.FAILED:
                row.status = self.Status.QUEUED
            row.next_try_at = None
            row.save(update_fields=["status", "next_try_at"])
            transaction.on_commit(lambda: posting.enqueue(row))
        return row
