"""The promise of the next public update, in a statement's own words.

A statement says when the audience will hear next by writing ``{next_update}`` (a playbook's
holding statement does). The time is filled in when the statement is published, from the moment
of publication and the incident's cadence, so the words promise exactly what the incident's
clock then counts down to (``crisis.clocks.next_update_due_at``): a review that took an hour does
not make the promise an hour earlier than the clock. Until then the wording keeps the
placeholder, which reviewers approve as it stands; its length is counted as the longest time it
can become, so a statement that fits at approval fits when published.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from crisis import clocks, timekeeper

PROMISE = "{next_update}"
# How times read in a public statement: “11:00 UTC on 14 March”.
PUBLIC_TIME_FORMAT = "H:i T \\o\\n j F"


def public_time(value):
    """``value`` as the audience reads it: in the company's time zone (the TIME_ZONE setting),
    whichever zone the person publishing reads the desk in."""
    return date_format(
        timezone.localtime(value, timezone.get_default_timezone()), PUBLIC_TIME_FORMAT
    )


def promised_at(incident, published_at):
    """When a statement of ``incident`` published at ``published_at`` promises the next update:
    what the incident's clock counts down to after it. No queries once the incident's targets
    are loaded."""
    return clocks.default_next_update_at(incident, published_at)


def fill(statement, published_at):
    """``statement``'s body as published at ``published_at``: the promise written out as a
    time. Reads the incident (a query, unless loaded) only when the body makes a promise."""
    if PROMISE not in statement.body:
        return statement.body
    when = public_time(promised_at(statement.incident, published_at))
    return statement.body.replace(PROMISE, when)


def widest():
    """The longest text the promise can become in the company's time zone (the last day of the
    longest month, on both sides of daylight saving), for counting a body's length."""
    zone = timezone.get_default_timezone()
    year = timekeeper.now().year
    samples = (datetime(year, month, 30, 23, 59, tzinfo=zone) for month in (3, 9, 12))
    return max((public_time(sample) for sample in samples), key=len)


def measurable(body):
    """``body`` with the promise at its widest: what its length is counted on before it is
    published."""
    body = body or ""
    return body.replace(PROMISE, widest()) if PROMISE in body else body


def preview(incident, now=None):
    """The promise as it would read if the statement were published now."""
    return public_time(promised_at(incident, now or timekeeper.now()))
