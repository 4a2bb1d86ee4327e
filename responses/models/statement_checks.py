"""The checks a statement's moves run on the locked row before they change it (see
``crisis.lifecycle``): each raises ``TransitionRefused`` with the words the person reads."""

from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses import promise
from responses.lengths import length_errors


def _has_public_title(row):
    """A statement reaches the audience under the incident's public title, which must exist
    (the public page and its feed never fall back to the internal title). One query."""
    Incident.objects.only("public_title").get(pk=row.incident_id).refuse_without_public_title()


def _checks(*checks):
    def run_all(row):
        for check in checks:
            check(row)

    return run_all


def _may_review(user):
    def check(row):
        refusal = row.review_refusal(user)
        if refusal:
            raise TransitionRefused(refusal)

    return check


def _fits_every_target(row):
    errors = length_errors(promise.measurable(row.body), row.target_platforms)
    if errors:
        raise TransitionRefused(
            " ".join(errors) + " Shorten it or change the platforms; an edited statement goes "
            "back to Draft for a new approval."
        )


def _same_version(version):
    def check(row):
        if version is not None and row.version != version:
            raise TransitionRefused(
                "The statement changed after you opened it. Read the new wording, then decide."
            )

    return check
