import io
import logging

import pytest


@pytest.fixture
def stdout_log():
    """What the site's log handler writes to stdout, in this process."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "stdout")
    written = io.StringIO()
    stdout = handler.setStream(written)
    yield written
    handler.setStream(stdout)
