"""Mail about statements: to managers when one awaits review, to its author on each decision;
and to the managers who may publish a public update's draft.

Each is an event of the outbound pipeline (crisis.outbound), which the verbs raise in their own
transaction: the deliveries are recorded with the change or not at all (nobody hears of a change
that was rolled back, and nothing is lost between the commit and the record), and sent by a
background job once committed, retried there. The chat channels that want the event hear of it
too. No page waits on a mail server; a failure to record the event is logged and undone alone
(a savepoint), never shown to the person who pressed the button: their decision stands.
"""

import logging
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from crisis.history import display_user as person
from crisis.mail import subject_line
from crisis.outbound import Audience, Event, EventKind, raise_event

logger = logging.getLogger(__name__)


def _link(statement):
    return settings.SITE_URL + statement.get_absolute_url()


def _stamp(moment):
    return moment.astimezone(UTC).isoformat() if moment else ""


def _audience(record, text):
    """What the public reads of ``record`` (published on the incident's public page): its
    ``text`` under the page's title, or None while the page is not open (nobody outside hears
    of it then). The topic ``incident:<pk>`` is what the subscriptions app follows."""
    from responses.public import public_page_url

    incident = record.incident
    if not incident.is_public_page_open:
        return None
    return Audience(
        topic=f"incident:{incident.pk}",
        title=incident.public_heading(incident.public_title),
        text=text,
        url=settings.SITE_URL + public_page_url(incident),
    )


def _send(kind, key, record, subject, body, recipients, audience=None, people=()):
    """Raise the event ``kind`` about ``record`` (a statement or an update), mailed to
    ``recipients`` and pushed to the browsers of ``people`` (user ids). ``key`` names this
    occurrence, so the same one is never sent twice."""
    incident = record.incident
    event = Event(
        kind=kind,
        key=key,
        title=subject,
        text=body,
        url=_link(record),
        severity=incident.severity,
        is_drill=incident.is_drill,
        recipients=tuple(sorted({address for address in recipients if address})),
        people=tuple(sorted(set(people))),
        audience=audience,
    )
    try:
        with transaction.atomic():
            raise_event(event)
    except Exception:
        logger.exception("Could not record mail %r to %s", subject, event.recipients)


def _subject(statement, text):
    return subject_line(f"[{statement.incident.reference}] {text}")


def mail_review_requested(statement, stage):
    """Tell everyone who may decide ``stage`` of the statement's approval chain now (see
    ``Statement.review_refusal``) that it waits for them. Queries its history and the users."""
    incident = statement.incident
    reviewers = [(u.pk, u.email) for u in statement.eligible_deciders(stage)]
    count = len(stage.round.stages.all())
    at_stage = f"stage {stage.position} of {count} ({stage.name})" if count > 1 else "approval"
    body = (
        f"{person(statement.author)} submitted a {statement.get_kind_display().lower()} "
        f"for approval on {incident.reference} “{incident.title}”. It waits for {at_stage}"
        + (f", to be decided by {_when(stage.due_at)}" if stage.due_at else "")
        + ".\n\n"
        f"Platforms: {', '.join(statement.platform_labels)}\n\n"
        f"{statement.body}\n\n"
        f"Approve it or request changes: {_link(statement)}\n"
    )
    # One occurrence per submission and stage.
    stage_key = f":stage{stage.position}" if stage.position > 1 else ""
    _send(
        EventKind.REVIEW_REQUESTED,
        f"statement:{statement.pk}:v{statement.version}:{_stamp(statement.submitted_at)}"
        + stage_key,
        statement,
        _subject(statement, f"Waiting for your approval: {statement.get_kind_display()}"),
        body,
        [email for _pk, email in reviewers],
        people=[pk for pk, _email in reviewers],
    )


def _when(moment):
    return date_format(timezone.localtime(moment), "j M Y, H:i T")


def mail_decision(review):
    """Tell the author that a reviewer approved their statement or wants changes."""
    statement = review.statement
    if statement.author is None:
        return
    if review.decision == review.Decision.APPROVE:
        kind = EventKind.APPROVED
        headline = "Approved"
        body = (
            f"{person(review.reviewer)} approved your {statement.get_kind_display().lower()} "
            f"on {statement.incident.reference}. A manager can now publish it.\n"
        )
    else:
        kind = EventKind.CHANGES_REQUESTED
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
        kind,
        f"review:{review.pk}",
        statement,
        _subject(statement, f"{headline}: {statement.get_kind_display()}"),
        body,
        [statement.author.email],
        people=[statement.author_id],
    )


def mail_published(statement):
    """Tell the author that their statement is out (unless they published it themselves), and
    the chat channels that want to know."""
    author = statement.author
    is_theirs = author is not None and author.pk != statement.published_by_id
    body = (
        f"{person(statement.published_by)} published "
        f"{'your' if is_theirs else 'a'} "
        f"{statement.get_kind_display().lower()} on {statement.incident.reference} to "
        f"{', '.join(statement.platform_labels)}:\n\n{statement.body}\n\n{_link(statement)}\n"
    )
    _send(
        EventKind.PUBLISHED,
        f"statement:{statement.pk}",
        statement,
        _subject(statement, f"Published: {statement.get_kind_display()}"),
        body,
        [author.email] if is_theirs else [],
        audience=_audience(statement, statement.body),
        people=[author.pk] if is_theirs else [],
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
        EventKind.WITHDRAWN,
        f"statement:{statement.pk}",
        statement,
        _subject(statement, f"Withdrawn: {statement.get_kind_display()}"),
        body,
        [statement.author.email],
        people=[statement.author_id],
    )


def mail_update_awaits_publication(update):
    """Tell everyone who may publish a public update's draft (see
    ``ProgressUpdate.publish_refusal``) that it waits for them. Queries its history and the
    users."""
    incident = update.incident
    publishers = list(update.eligible_second_eyes().values_list("pk", "email"))
    promise = date_format(timezone.localtime(update.next_update_at), "j M Y, H:i T")
    body = (
        f"{person(update.author)} drafted a public update on {incident.reference} "
        f"“{incident.title}”. It waits for a manager who did not write it to publish it.\n\n"
        f"{update.body}\n\n"
        f"It promises the next update by {promise}.\n\n"
        f"Publish it (or edit it first): {_link(update)}\n"
    )
    _send(
        EventKind.UPDATE_AWAITS_PUBLICATION,
        f"update:{update.pk}",
        update,
        f"[{incident.reference}] Waiting for publication: public update",
        body,
        [email for _pk, email in publishers],
        people=[pk for pk, _email in publishers],
    )


def announce_update_published(update):
    """Tell the chat channels that want to know that a public update is out (the audience's
    own subscriptions are another matter)."""
    incident = update.incident
    promise = date_format(timezone.localtime(update.next_update_at), "j M Y, H:i T")
    body = (
        f"{person(update.published_by)} published a public update on {incident.reference} "
        f"“{incident.title}”:\n\n{update.body}\n\nNext update promised by {promise}.\n"
    )
    _send(
        EventKind.UPDATE_PUBLISHED,
        f"update:{update.pk}:published",
        update,
        f"[{incident.reference}] Public update published",
        body,
        [],
        audience=_audience(update, update.body) if update.kind == update.Kind.PUBLIC else None,
    )
