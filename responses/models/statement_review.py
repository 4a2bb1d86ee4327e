"""Who may review a statement and what happens next to it, said to one user: the four-eyes rule
(responses.models.four_eyes) applied to a statement's workflow."""

from typing import NamedTuple

from responses.models.four_eyes import FourEyes

REVIEW_PERMISSION = "responses.approve_statement"


class NextStep(NamedTuple):
    """What happens next to a statement, said to one user."""

    text: str
    # The user may decide on it now: the incident page makes it stand out.
    is_your_review: bool = False
    # Why someone who might expect to review it does not (they wrote some of it).
    note: str = ""

    def __str__(self):
        return self.text


class StatementReview(FourEyes):
    """Mixed into :class:`responses.models.Statement`: its reviews and next steps."""

    # Who may review: the current stage of the approval chain decides
    # (responses.models.statement_chain), under the four-eyes rule (responses.models.four_eyes):
    # a reviewer wrote none of it. Every place that asks (the page's buttons and notes, the
    # incident page, the dashboard, the mail, the verbs) goes through review_refusal.
    SECOND_EYES_PERMISSION = REVIEW_PERMISSION
    FOUR_EYES_REFUSALS = {
        "permission": "Only a manager may review a statement.",
        "author": "You wrote this statement, so another manager must review it.",
        "contributor": "You changed this statement’s wording, so another manager must review it.",
    }

    def review_refusal(self, user, contributors=None):
        """Why ``user`` may not approve or request changes now, or ``""`` if they may: the one
        rule of who decides the current stage of the approval chain.

        Refused: a statement not in review or of a frozen incident; someone who does not decide
        the current stage (its group's members, its backups, superusers); the author or anyone
        who saved a change to the wording; someone who approved another stage of this wording.
        Queries the running round (unless attached, see ``attach_chains``), the user's groups,
        and the history once for someone who decides (pass ``contributors`` to avoid it in
        lists).
        """
        if self.status != self.Status.IN_REVIEW:
            return "Only a statement in review can be approved or sent back."
        if not self.incident.is_editable:
            return "The incident is frozen: its statements are no longer reviewed."
        stage = self.current_stage()
        if stage is None:
            return "No approval round is running: submit the statement for approval again."
        refusal = self.chain_refusal(user, stage)
        if refusal and stage.round.chain_id is None:
            # Today's rule, worded as it always was.
            return refusal
        share = self.share_in_writing(user, contributors)
        if share:
            return self.FOUR_EYES_REFUSALS[share]
        return refusal

    def may_review(self, user, contributors=None):
        """Whether ``user`` may approve or request changes now. Queries as
        :meth:`review_refusal` does."""
        return not self.review_refusal(user, contributors)

    def may_approve_and_publish(self, user, contributors=None):
        """Whether ``user`` may approve this wording and publish it in one step: the current
        stage is the chain's last, they may decide it (:meth:`review_refusal`) and they may
        publish. Queries as :meth:`review_refusal` does."""
        if not user.has_perm(self.MOVES["publish"].permission):
            return False
        stage = self.current_stage()
        if stage is None or stage.position < len(stage.round.stages.all()):
            return False
        return self.may_review(user, contributors)

    def allowed_moves(self, user, contributors=None):
        """The moves ``user`` may make now, a review by someone who may not review (see
        :meth:`review_refusal`) left out. Queries as :meth:`review_refusal` does."""
        return [
            (action, move)
            for action, move in super().allowed_moves(user)
            if action not in self.REVIEW_MOVES or self.may_review(user, contributors)
        ]

    def next_step(self, user, contributors=None):
        """What happens next, said to ``user`` (badges on the incident page, the note on the
        statement page), or None. Queries as :meth:`review_refusal` does."""
        S = self.Status
        if not self.incident.is_editable:
            return None
        if self.status == S.IN_REVIEW:
            if self.may_review(user, contributors):
                return NextStep("Waiting for your approval", is_your_review=True)
            share = self.share_in_writing(user, contributors)
            stage = self.current_stage()
            waiting = "Waiting for a manager’s approval"
            if stage is not None and stage.round.chain_id is not None:
                count = len(stage.round.stages.all())
                waiting = f"Waiting for stage {stage.position} of {count}: {stage.name}"
            return NextStep(
                waiting,
                note={
                    "author": "You wrote this statement, so someone else reviews it.",
                    "contributor": "You changed its wording, so someone else reviews it.",
                }.get(share, ""),
            )
        if self.status == S.APPROVED:
            if user.has_perm(self.MOVES["publish"].permission):
                return NextStep("Approved: ready for you to publish")
            return NextStep("Approved: waiting for a manager to publish")
        if self.status in self.MOVES["submit"].sources and user.has_perm(
            self.MOVES["submit"].permission
        ):
            return NextStep("Draft: submit it for approval when ready")
        return None
