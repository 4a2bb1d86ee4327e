import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every demo user gets a real password; the default hasher would spend most of the time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def playbooks(db):
    """The playbooks that come with the app, present even after a database flush."""
    from tests import factories

    factories.load_playbooks()
