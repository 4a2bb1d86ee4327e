"""Mail about statements: to managers when one awaits review, to its author on each decision;
and to the managers who may publish a public update's draft.

The verbs call these through ``transaction.on_commit``, so nobody hears of a change that was
rolled back. A mail server that fails is logged, never shown to the person who pressed the
button: their decision is already saved.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.formats import date_format

from crisis.history import display_user as person
from crisis.mail import subject_line

logger = logging.getLogger(__name__)


def _link(statement):
    return settings.SITE_URL + statement.get_absolute_url()


def _send(subject, body, recipients):
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Could not send mail %r to %s", subject, recipients)


def _subject(statement, text):
    return subject_line(f"[{statement.incident.reference}] {text}")


def mail_review_requested(statement):
    """Tell everyone who may review the statement (see ``Statement.review_refusal``) that it
    waits for their decision. Queries its history and the users."""
    incident = statement.incident
    body = (
        f"{person(statement.author)} submitted a {statement.get_kind_display().lower()} "
        f"for approval on {incident.reference} “{incident.title}”.\n\n"
        f"Platforms: {', '.join(statement.platform_labels)}\n\n"
        f"{statement.body}\n\n"
        f"Approve it or request changes: {_link(statement)}\n"
    )
    _send(
        _subject(statement, f"Waiting for your approval: {statement.get_kind_display()}"),
        body,
        statement.eligible_second_eyes().values_list("email", flat=True),
    )


def mail_decision(review):
    """Tell the author that a reviewer approved their statement or wants changes."""
    statement = review.statement
    if statement.author is None:
        return
    if review.decision == review.Decision.APPROVE:
        headline = "Approved"
        body = (
            f"{person(review.reviewer)} approved your {statement.get_kind_display().lower()} "
            f"on {statement.incident.reference}. A manager can now publish it.\n"
        )
    else:
        headline = "Changes requested"
        body = (
            f"{person(review.reviewer)} asked for changes to your "
            f"{statement.get_kind_display().lower()} on {statement.incident.reference}:\n\n"
            f"{review.comment}\n\nIt is back in Draft: edit it and submit it again.\n"
        )
    if review.comment and review.decision == review.Decision.APPROVE:
        body += f"\nTheir comment: {review.comment}\n"
    body += f"\n{_link(statement)}\n"
    _send(
        _subject(statement, f"{headline}: {statement.get_kind_display()}"),
        body,
        [statement.author.email],
    )


def mail_published(statement):
    """Tell the author that their statement is out (unless they published it themselves)."""
    if statement.author is None or statement.author_id == statement.published_by_id:
        return
    body = (
        f"{person(statement.published_by)} published your "
        f"{statement.get_kind_display().lower()} on {statement.incident.reference} to "
        f"{', '.join(statement.platform_labels)}.\n\n{_link(statement)}\n"
    )
    _send(
        _subject(statement, f"Published: {statement.get_kind_display()}"),
        body,
        [statement.author.email],
    )


def mail_withdrawn(statement, by):
    """Tell the author that someone else withdrew their statement."""
    if statement.author is None or statement.author_id == by.pk:
        return
    body = (
        f"{person(by)} withdrew your {statement.get_kind_display().lower()} on "
        f"{statement.incident.reference}. It will not be published.\n\n{_link(statement)}\n"
    )
    _send(
        _subject(statement, f"Withdrawn: {statement.get_kind_display()}"),
        body,
        [statement.author.email],
    )


def mail_update_awaits_publication(update):
    """Tell everyone who may publish a public update's draft (see
    ``ProgressUpdate.publish_refusal``) that it waits for them. Queries its history and the
    users."""
    incident = update.incident
    promise = date_format(timezone.localtime(update.next_update_at), "j M Y, H:i T")
    body = (
        f"{person(update.author)} drafted a public update on {incident.reference} "
        f"“{incident.title}”. It waits for a manager who did not write it to publish it.\n\n"
        f"{update.body}\n\n"
        f"It promises the next update by {promise}.\n\n"
        f"Publish it (or edit it first): {_link(update)}\n"
    )
    _send(
        f"[{incident.reference}] Waiting for publication: public update",
        body,
        update.eligible_second_eyes().values_list("email", flat=True),
    )
