"""A real SMTP server (aiosmtpd) on a free port, with Django's SMTP backend pointed at it: the
``smtp`` fixture, for tests whose mail must cross the wire (tests/subscriptions, the browser
journey of a reader)."""

import email
import email.policy
import logging
import re
import socket

import pytest
from aiosmtpd.controller import Controller

# Addresses the server refuses at RCPT TO, as a mailbox that does not exist would.
REFUSED_PREFIX = "bounce"


class Collector:
    """Keeps every message the server accepted, parsed; refuses the ``bounce…`` mailboxes."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith(REFUSED_PREFIX):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """The server, with Django's SMTP backend pointed at it; ``smtp.messages`` is what arrived."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd tells every command
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://crisis.example.com"
    yield collector
    controller.stop()


def body_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, path_part):
    """The first link in the mail's text whose path holds ``path_part``."""
    match = re.search(rf"https?://\S*{re.escape(path_part)}\S*", body_of(message))
    assert match, body_of(message)
    return match.group(0)
