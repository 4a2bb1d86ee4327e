import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every persona gets a real password; the default hasher would spend most of the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def second_manager(db):
    from tests import factories

    return factories.make_manager("second-manager")


@pytest.fixture
def playbooks(db):
    """The playbooks that come with the app, present even after a database flush."""
    from tests import factories

    factories.load_playbooks()
