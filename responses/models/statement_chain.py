"""A statement's approval chain: the round in force, who may decide its current stage, and the
verbs that decide it (approve, request changes, approve and publish).

Each submission opens a round (responses.models.review_round) copied from the chain that applies
then; each stage approves the exact wording (its version and hash); the last stage's approval
approves the statement. Every decision locks the statement's row first, so two people deciding
at once (two stages, a backup and the main approver, an edit landing meanwhile) make exactly one
outcome and the other is told why.
"""

from django.db import transaction
from django.db.models import Prefetch

from crisis import timekeeper
from crisis.history import display_user
from crisis.lifecycle import TransitionRefused, clean_reason
from responses.models.chain import ApprovalChain, default_stage_group
from responses.models.review import Review
from responses.models.review_round import (
    ReviewRound,
    RoundStage,
    is_decider,
    wording_hash,
)
from responses.models.statement_checks import (
    _checks,
    _fits_every_target,
    _may_review,
    _same_version,
)

_UNLOADED = object()


def _rounds():
    """Rounds with their stages in order, each stage's group, decider and backups (three
    queries for any number of rounds)."""
    stages = RoundStage.objects.select_related("group", "decided_by").prefetch_related("backups")
    return ReviewRound.objects.prefetch_related(
        Prefetch("stages", queryset=stages.order_by("position"))
    )


def _where(stage):
    """The stage as the history's reason names it (nothing for the default chain's one)."""
    if stage is None or stage.round.chain_id is None:
        return ""
    return f" at stage {stage.position}: {stage.name}"


def _record_decision(row, stage, by, decision, comment, now):
    """Record ``decision`` on ``stage`` (the wording read: the version before the move, and its
    hash) and as a review of the statement; returns the review."""
    stage.record(
        by=by,
        decision=decision,
        comment=comment,
        version=row.version - 1,
        text_hash=row.wording_hash(),
        now=now,
    )
    return Review.record(row, by=by, decision=decision, comment=comment, stage=stage)


class StatementChain:
    """Mixed into :class:`responses.models.Statement`."""

    def wording_hash(self):
        return wording_hash(self.kind, self.body, self.target_platforms)

    # Reading the chain.

    @classmethod
    def attach_chains(cls, statements):
        """Load the running round of each statement in review in ``statements`` at once, so
        that :meth:`current_stage` asks nothing more (three queries, none when none is in
        review)."""
        waiting = [s for s in statements if s.status == cls.Status.IN_REVIEW]
        if not waiting:
            return statements
        rounds = {
            r.statement_id: r
            for r in _rounds().filter(
                statement__in=[s.pk for s in waiting], outcome=ReviewRound.Outcome.OPEN
            )
        }
        for statement in waiting:
            statement._open_round = rounds.get(statement.pk)
        return statements

    def open_round(self):
        """The running round with its stages, or None. One query set (see :func:`_rounds`)
        unless attached, none when not in review."""
        if self.status != self.Status.IN_REVIEW:
            return None
        cached = getattr(self, "_open_round", _UNLOADED)
        if cached is _UNLOADED:
            cached = _rounds().filter(statement=self, outcome=ReviewRound.Outcome.OPEN).first()
            self._open_round = cached
        return cached

    def latest_round(self):
        """The latest round, running or ended, with its stages: what the page shows. Queries
        as :meth:`open_round` does."""
        current = self.open_round()
        if current is not None:
            return current
        return _rounds().filter(statement=self).order_by("-number").first()

    def current_stage(self):
        """The stage that decides now, or None (not in review). Queries as :meth:`open_round`
        does."""
        review_round = self.open_round()
        if review_round is None:
            return None
        return next((s for s in review_round.stages.all() if s.is_current), None)

    def approved_in_round(self, user, review_round):
        """The stage of ``review_round`` that ``user`` approved, or None (no query: the stages
        are loaded with the round)."""
        return next(
            (
                s
                for s in review_round.stages.all()
                if s.decision == RoundStage.Decision.APPROVE and s.decided_by_id == user.pk
            ),
            None,
        )

    def chain_refusal(self, user, stage):
        """Why ``user`` may not decide ``stage`` (the current one): they are not one who decides
        it (:func:`is_decider`), or they approved another stage of this same wording. ``""`` if
        they may. No queries beyond the user's groups."""
        if not stage.is_decider(user):
            if stage.round.chain_id is None:
                return self.FOUR_EYES_REFUSALS["permission"]
            return f"The stage “{stage.name}” is decided by {stage.deciders_text()}."
        earlier = self.approved_in_round(user, stage.round)
        if earlier is not None and earlier.approved_hash == stage.round.text_hash:
            return (
                f"You approved this wording at the stage “{earlier.name}”: someone else "
                f"decides the stage “{stage.name}”."
            )
        return ""

    def final_stage_refusal(self, user, writers=None):
        """Why ``user`` may not approve at the last stage of this statement's chain, or None if
        they may: they wrote none of it, and decide that stage (its group, its backups). The
        chain is the latest round's, or the one that would apply now if it was never
        submitted. Queries the rounds (or the chain) and the history."""
        share = self.share_in_writing(user, writers)
        if share:
            return self.FOUR_EYES_REFUSALS[share]
        review_round = self.latest_round()
        if review_round is not None:
            last = list(review_round.stages.all())[-1]
            if last.is_decider(user):
                return None
            return f"Only {last.deciders_text()} approve at the stage “{last.name}”."
        chain = ApprovalChain.objects.for_incident(self.incident)
        last = chain.stages.prefetch_related("backups").last() if chain else None
        if last is None:
            group = default_stage_group()
            if is_decider(user, group.pk if group else None, set()):
                return None
            return self.FOUR_EYES_REFUSALS["permission"]
        if is_decider(user, last.group_id, {u.pk for u in last.backups.all()}):
            return None
        return f"Only the {last.group.name} group or its backups approve at “{last.name}”."

    def last_approved_version_by(self, user):
        """The version of the wording ``user`` last approved at any stage, or None. One
        query."""
        if user.pk is None:
            return None
        return (
            RoundStage.objects.filter(
                round__statement=self, decided_by=user, decision=RoundStage.Decision.APPROVE
            )
            .order_by("-decided_at", "-pk")
            .values_list("approved_version", flat=True)
            .first()
        )

    def eligible_deciders(self, stage, writers=None):
        """The active users who may decide ``stage`` now (:meth:`review_refusal`): its group's
        members, its backups and superusers, less the writers and whoever approved another
        stage of the round. A user list; queries the history (unless given) and the users."""
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        if writers is None:
            writers = self.writers()
        approved = {
            s.decided_by_id
            for s in stage.round.stages.all()
            if s.decision == RoundStage.Decision.APPROVE
        }
        who = Q(is_superuser=True) | Q(pk__in=stage.backup_ids())
        if stage.group_id is not None:
            who |= Q(groups=stage.group_id)
        users = get_user_model().objects.filter(who, is_active=True).distinct().order_by("pk")
        return [u for u in users if u.pk not in {self.author_id, *writers, *approved} - {None}]

    # Deciding the current stage.

    def _decision_checks(self, by, version, stage_pk, final=False):
        def posted_stage_still_current(row):
            current = row.current_stage()
            if stage_pk is None or (current is not None and current.pk == stage_pk):
                return
            posted = (
                RoundStage.objects.select_related("decided_by", "round")
                .filter(pk=stage_pk, round__statement=row)
                .first()
            )
            if posted is not None and posted.round.outcome == ReviewRound.Outcome.REWORDED:
                raise TransitionRefused(
                    "The wording was edited after you opened it, so this round ended: the "
                    "statement is back in Draft and starts again at the first stage. Your "
                    "decision was not recorded."
                )
            if posted is not None and posted.is_decided:
                raise TransitionRefused(
                    f"The stage “{posted.name}” was already decided by "
                    f"{display_user(posted.decided_by)} ({posted.get_decision_display().lower()})"
                    ": your decision was not recorded."
                )
            raise TransitionRefused(
                "The statement changed after you opened it. Read the new wording, then decide."
            )

        def at_last_stage(row):
            stage = row.current_stage()
            if final and stage is not None and stage.position < len(stage.round.stages.all()):
                raise TransitionRefused(
                    "“Approve and publish” is only for the chain’s last stage; "
                    f"“{stage.name}” is stage {stage.position}."
                )

        # The first two say why a decision came too late (someone decided first, the words
        # changed): they run on the locked row before the move's own checks.
        return (
            _checks(posted_stage_still_current, _same_version(version)),
            _checks(_may_review(by), at_last_stage),
        )

    def approve(self, *, by, comment="", version=None, stage=None, final=False):
        """Approve the current stage of the round on ``version`` of the wording; at the last
        stage the statement is approved. ``stage`` is the stage the person decided (its pk), so
        someone beaten to it is told by whom. Queries and locks the row, then the round."""
        from responses import services

        comment = clean_reason(comment)
        now = timekeeper.now()
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            too_late, may_decide = self._decision_checks(by, version, stage, final)
            too_late(locked)
            current = locked.current_stage()
            is_last = current is None or current.position == len(current.round.stages.all())
            where = _where(current)
            row = self._transition(
                "approve",
                by=by,
                reason="Approved" + where + (f": {comment}" if comment else ""),
                check=_checks(may_decide, _fits_every_target),
                changes=lambda row: (
                    {"approved_at": now, "approved_by": by, "approved_version": row.version}
                    if is_last
                    # Not the last stage: the statement stays in review (the move's target is
                    # the last stage's).
                    else {"status": self.Status.IN_REVIEW}
                ),
            )
            review = _record_decision(row, current, by, Review.Decision.APPROVE, comment, now)
            if is_last:
                current.round.end(ReviewRound.Outcome.APPROVED, now)
                services.mail_decision(review)
            else:
                following = current.round.stages.all()[current.position]
                following.begin(now)
                row._open_round = current.round
                services.mail_review_requested(row, following)
        self._open_round = row._open_round if not is_last else _UNLOADED
        return row

    def request_changes(self, *, by, comment, version=None, stage=None):
        """Send the wording back at the current stage: the round ends and the statement is a
        draft again. Queries and locks as :meth:`approve` does."""
        from responses import services

        comment = clean_reason(
            comment,
            required=True,
            missing="Say what should change: the author reads your comment.",
        )
        now = timekeeper.now()
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            too_late, may_decide = self._decision_checks(by, version, stage)
            too_late(locked)
            current = locked.current_stage()
            where = _where(current)
            row = self._transition(
                "request_changes",
                by=by,
                reason=f"Changes requested{where}: {comment}",
                check=may_decide,
            )
            review = _record_decision(
                row, current, by, Review.Decision.REQUEST_CHANGES, comment, now
            )
            current.round.end(ReviewRound.Outcome.CHANGES_REQUESTED, now)
            services.mail_decision(review)
        self._open_round = _UNLOADED
        return row

    def approve_and_publish(self, *, by, comment="", version=None, stage=None, links=None):
        """Approve ``version`` of the wording at the chain's last stage and publish it, in one
        transaction: a refusal of either (not the last stage, the author, a contributor, a
        changed wording, no right to publish) leaves the statement as it was. Queries and
        locks as :meth:`approve` and :meth:`publish` do."""
        try:
            with transaction.atomic():
                self.approve(by=by, comment=comment, version=version, stage=stage, final=True)
                return self.publish(by=by, links=links)
        except TransitionRefused:
            # The approval was rolled back: forget it here too.
            self.refresh_from_db()
            self._open_round = _UNLOADED
            raise

    def _end_open_round(self, outcome, now):
        """End the running round (an edit of the wording, a withdrawal). One query, and one
        update when a round was running."""
        review_round = ReviewRound.objects.filter(
            statement=self, outcome=ReviewRound.Outcome.OPEN
        ).first()
        if review_round is not None:
            review_round.end(outcome, now)
        self._open_round = _UNLOADED
