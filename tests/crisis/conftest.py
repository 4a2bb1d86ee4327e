import io
import logging

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every persona gets a real password; the default hasher would spend most of the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def stdout_log():
    """What the site's log handler writes to stdout, in this process."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "stdout")
    written = io.StringIO()
    stdout = handler.setStream(written)
    yield written
    handler.setStream(stdout)
