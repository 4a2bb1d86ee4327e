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

    # Who may review: the four-eyes rule (responses.models.four_eyes), a reviewer holds the
    # permission and wrote none of the statement. Every place that asks (the page's buttons and
    # notes, the incident page, the dashboard, the mail, the verbs) goes through review_refusal.
    SECOND_EYES_PERMISSION = REVIEW_PERMISSION
    FOUR_EYES_REFUSALS = {
        "permission": "Only a manager may review a statement.",
        "author": "You wrote this statement, so another manager must review it.",
        "contributor": "You changed this statement’s wording, so another manager must review it.",
    }

    def review_refusal(self, user, contributors=None):
        """Why ``user`` may not approve or request changes now, or ``""`` if they may.

        Queries the history once (see :meth:`share_in_writing`), and only for someone who holds
        the permission and is not the author of a statement in review; pass ``contributors``
        to avoid it in lists.
        """
        if self.status != self.Status.IN_REVIEW:
            return "Only a statement in review can be approved or sent back."
        if not self.incident.is_editable:
            return "The incident is frozen: its statements are no longer reviewed."
        return self.four_eyes_refusal(user, contributors)

    def may_review(self, user, contributors=None):
        """Whether ``user`` may approve or request changes now. Queries as
        :meth:`review_refusal` does."""
        return not self.review_refusal(user, contributors)

    def may_approve_and_publish(self, user, contributors=None):
        """Whether ``user`` may approve this wording and publish it in one step: they may
        review it (:meth:`review_refusal`) and they may publish. Queries as
        :meth:`review_refusal` does."""
        return user.has_perm(self.MOVES["publish"].permission) and self.may_review(
            user, contributors
        )

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
            return NextStep(
                "Waiting for a manager’s approval",
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
