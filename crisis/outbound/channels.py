"""The channels: mail, each kind of team chat, as its documentation asks, and browser
notifications (crisis.outbound.push).

``send(row)`` returns when the channel accepted the message and raises :class:`Failure`
otherwise, saying whether trying again could help (a 429, a 5xx, a timeout, an unreachable
host) or not (a webhook revoked or never valid: 400, 401, 403, 404, 410), and how long the
server asked us to wait (``Retry-After``, in seconds or as an HTTP date).
"""

import json
import smtplib
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.core.mail import EmailMessage

from crisis import timekeeper
from crisis.mail import subject_line

# Answers that mean the webhook is gone or refuses us for good: retrying cannot help.
PERMANENT = {400, 401, 403, 404, 410, 413, 422}

SIGNATURE_HEADER = "X-Crisis-Signature"
TIMESTAMP_HEADER = "X-Crisis-Timestamp"
DELIVERY_HEADER = "X-Crisis-Delivery"
EVENT_HEADER = "X-Crisis-Event"


class Failure(Exception):
    """``permanent``: retrying cannot help; ``gone``: there is nobody left to send to (a
    browser whose subscription ended), so the row is dropped without being anyone's error."""

    def __init__(self, message, *, permanent=False, retry_after=None, gone=False):
        super().__init__(message)
        self.permanent = permanent or gone
        self.retry_after = retry_after
        self.gone = gone


def send(row):
    if row.channel == row.Channel.MAIL:
        _send_mail(row)
    elif row.channel == row.Channel.PUSH:
        from crisis.outbound import push

        push.send(row)
    else:
        _post(row)


def _send_mail(row):
    try:
        message = EmailMessage(
            subject_line(row.title), row.text, to=[row.recipient], headers=row.headers or None
        )
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        # A 5xx at RCPT TO (no such mailbox) is final: trying again cannot help; a 4xx may pass.
        codes = [code for code, _text in error.recipients.values()]
        answers = "; ".join(f"{code} {text!r}" for code, text in error.recipients.values())
        raise Failure(
            f"The mail server refused the address: {answers}",
            permanent=all(code >= 500 for code in codes),
        ) from error
    except Exception as error:
        raise Failure(f"Could not send mail: {error}") from error


def retry_after(value, now=None):
    """``Retry-After`` as a timedelta (RFC 9110: delay-seconds or an HTTP date); None when
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(when - (now or timekeeper.now()), timedelta(0))


def _post(row):
    channel = row.chat_channel
    body = json.dumps(payload(row), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if channel.kind == channel.Kind.WEBHOOK:
        headers.update(signed_headers(row, body))
    try:
        response = requests.post(
            channel.url,
            data=body,
            headers=headers,
            timeout=settings.OUTBOX_HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout as error:
        raise Failure(f"No answer within {settings.OUTBOX_HTTP_TIMEOUT_SECONDS} s") from error
    except requests.RequestException as error:
        raise Failure(f"Could not reach {channel.name}: {type(error).__name__}") from error
    status = response.status_code
    if 200 <= status < 300:
        return
    answer = " ".join(response.text[:200].split())
    message = f"{channel.name} answered {status}" + (f": {answer}" if answer else "")
    if 300 <= status < 400:
        # Redirects are not followed (a signed body must not wander): the URL is out of date.
        where = response.headers.get("Location", "")
        raise Failure(
            f"{message} (moved to {where or 'elsewhere'}: update the channel's URL)", permanent=True
        )
    if status in PERMANENT:
        raise Failure(
            message + " (revoked or refused: fix the channel, then retry)", permanent=True
        )
    raise Failure(message, retry_after=retry_after(response.headers.get("Retry-After")))


def signed_headers(row, body):
    """The generic webhook's headers: the time, the signature of ``"{time}.{body}"``, the event
    and the delivery's key (for the receiver to drop a repeat)."""
    timestamp = str(int(time.time()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: "sha256=" + row.chat_channel.sign(timestamp, body),
        DELIVERY_HEADER: row.key,
        EVENT_HEADER: row.event,
    }


def _headline(row):
    drill = "[Drill] " if row.is_drill else ""
    severity = f" (severity {row.severity})" if row.severity else ""
    return f"{drill}{row.title}{severity}"


def payload(row):
    """The JSON body each kind of channel documents."""
    kind = row.chat_channel.kind
    Kind = row.chat_channel.Kind
    if kind == Kind.SLACK:
        # https://api.slack.com/messaging/webhooks: text with <url|label> links (mrkdwn).
        text = f"*{_slack(_headline(row))}*\n{_slack(row.text)}"
        return {"text": f"{text}\n<{row.url}|Open in Crisis Desk>"}
    if kind == Kind.MATTERMOST:
        # Mattermost incoming webhooks: Markdown text.
        return {"text": f"**{_headline(row)}**\n{row.text}\n[Open in Crisis Desk]({row.url})"}
    if kind == Kind.GOOGLE_CHAT:
        # Google Chat space webhooks: a message with text (its own <url|label> link syntax).
        return {"text": f"*{_headline(row)}*\n{row.text}\n<{row.url}|Open in Crisis Desk>"}
    if kind == Kind.TEAMS:
        return _adaptive_card(row)
    return {
        "event": row.event,
        "delivery": row.key,
        "title": row.title,
        "text": row.text,
        "severity": row.severity,
        "url": row.url,
        "is_drill": row.is_drill,
        "created_at": row.created_at.isoformat(),
    }


def _slack(text):
    # Slack's three control characters must be escaped in message text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _adaptive_card(row):
    """A Teams workflow webhook ("When a Teams webhook request is received") takes a message
    with an Adaptive Card attachment."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": _headline(row), "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": row.text, "wrap": True},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open in Crisis Desk", "url": row.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
