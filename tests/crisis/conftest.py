import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every persona gets a real password; the default hasher would spend most of the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
