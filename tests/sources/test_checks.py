import pytest

from sources.checks import source_key_check
from tests.sources.conftest import make_source

pytestmark = pytest.mark.django_db


def test_a_stored_app_password_needs_the_key(settings):
    settings.CONNECTOR_KEYS = []
    source = make_source("https://bsky.invalid", kind="bluesky", query="acme", handle="a.b")
    assert source_key_check() == []
    source.set_secret("app-pass")
    source.save()
    assert [error.id for error in source_key_check()] == ["sources.E001"]
    settings.CONNECTOR_KEYS = ["x"]
    assert source_key_check() == []
