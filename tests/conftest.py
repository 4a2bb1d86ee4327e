import logging
import os

import pytest
from hypothesis import settings

from tests import factories

# How hard property-based tests try, for each test that does not set its own number. In CI
# (CI=true, what .ci/run uses) the fuzz sends 1,000 inputs per form and per API endpoint on
# PostgreSQL, the production database (profile ``ci``), and 150 on SQLite (``ci-sqlite``): the
# same forms and endpoints, fewer examples on the database production does not use. A
# developer's run takes a quick 30 (``default``); HYPOTHESIS_PROFILE names one by hand, e.g.
# ``HYPOTHESIS_PROFILE=ci`` for the full run on any database.
settings.register_profile("default", max_examples=30)
settings.register_profile("ci", max_examples=1000)
settings.register_profile("ci-sqlite", max_examples=150)


def _hypothesis_profile():
    if os.environ.get("HYPOTHESIS_PROFILE"):
        return os.environ["HYPOTHESIS_PROFILE"]
    if not os.environ.get("CI"):
        return "default"
    from django.conf import settings as django_settings

    on_postgresql = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]
    return "ci" if on_postgresql else "ci-sqlite"


settings.load_profile(_hypothesis_profile())


def pytest_configure(config):
    # Every test user gets a real password; the production hasher (PBKDF2, a million rounds)
    # would spend a large share of the suite's time hashing them.
    from django.conf import settings as django_settings

    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A "replica" database set up as Django's TEST MIRROR of the default one (the same test
    database under another alias), for tests/crisis/test_replica.py. Nothing reads it unless a
    test sets DATABASE_REPLICA_URL. On PostgreSQL, the test connections commit without waiting
    for the disk."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from crisis.replica import REPLICA

    default = connections.settings[DEFAULT_DB_ALIAS]
    if "postgresql" in default["ENGINE"]:
        # The test database needs no durability: a commit need not wait for its WAL to reach
        # the disk (11.5 ms a commit against 3.8, measured on the CI machine under load), which
        # the browser tests, the tests of concurrent requests and each flush between
        # transactional tests pay many times. What other connections see, and when, is
        # unchanged (docs/performance.md, "CI within its time").
        options = default.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    connections.settings.setdefault(
        REPLICA, {**default, "TEST": {**default["TEST"], "MIRROR": DEFAULT_DB_ALIAS}}
    )


@pytest.fixture
def comms(db):
    return factories.make_comms()


@pytest.fixture
def manager(db):
    return factories.make_manager()


@pytest.fixture
def viewer(db):
    return factories.make_user("viewer")


@pytest.fixture
def admin(db):
    return factories.make_user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def incident(comms):
    return factories.make_incident(comms)


@pytest.fixture
def client_as(client):
    """``client_as(user)`` signs the test client in as ``user`` (None stays anonymous)."""

    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def party(incident):
    return factories.make_party(incident)


@pytest.fixture(autouse=True, scope="session")
def _quiet_request_log():
    """The request log (two lines per request, crisis.settings.LOGGING) stays out of the output
    of failing tests; tests/crisis/test_operations.py turns it back on to read it."""
    logger = logging.getLogger("django_structlog")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# Browser notifications: a VAPID key of the test's own, and a local push service that checks the
# signature and decrypts the payload (tests/push_service.py).
PUSH_CONTACT = "mailto:desk-admin@example.com"


@pytest.fixture
def vapid(settings):
    from crisis.outbound import push

    settings.WEB_PUSH_VAPID_PRIVATE_KEY = push.new_private_key()
    settings.WEB_PUSH_CONTACT = PUSH_CONTACT
    # The local push service speaks http on the loopback (docs/outbound.md).
    settings.WEB_PUSH_ALLOW_LOOPBACK = True
    return settings


@pytest.fixture
def push_service(vapid):
    from crisis.outbound import push
    from tests.push_service import PushService

    service = PushService(push.public_key()).start()
    yield service
    service.stop()
