"""The operational commands: seed_demo (demo data, safe to run again) and quickstart."""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from incidents.models import AffectedParty, Incident
from tests import factories
from tests.built_once import built_once

S = Incident.Status
DEMO_USERS = {
    # username: (groups, is_staff); the data-breach approval chain's stages are groups too
    # (demo/chains.py): Comms lead, Legal, Executive.
    "comms": (["Comms"], False),
    "manager": (["Comms leads", "Managers"], False),
    "viewer": (["Legal"], False),
    "admin": (["Executives"], True),
}


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_users():
    users = get_user_model().objects.filter(username__in=DEMO_USERS).prefetch_related("groups")
    return {
        user.username: (sorted(g.name for g in user.groups.all()), user.is_staff) for user in users
    }


SEEDED = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
# The product's default time to a first public acknowledgement, per severity.
ACKNOWLEDGE_WITHIN = {1: timedelta(minutes=30), 2: timedelta(hours=1), 3: timedelta(hours=4)}
PASSWORD = "demo-password-for-tests"


def seed_at_seeded():
    with time_machine.travel(SEEDED, tick=False):
        return seed("--password", PASSWORD)


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """The demo desk seeded once at ``SEEDED`` for the tests of ``TestOneSeed``, and what
    the command said (tests/built_once.py): a test that seeds again or deletes a user leaves the
    next one the first seed."""
    yield from built_once(django_db_blocker, seed_at_seeded)


def everything():
    """Every row of every table the demo touches, history included, as the database holds it."""
    return {
        model._meta.label: [
            factories.snapshot(row) for row in model._default_manager.order_by("pk")
        ]
        for model in apps.get_models()
        if model._meta.app_label in {"auth", "incidents", "responses", "crisis"}
    }


def test_quickstart_run_twice_keeps_the_passwords_unless_asked(db):
    first = StringIO()
    call_command("quickstart", "--no-serve", stdout=first)
    password = first.getvalue().rsplit("password: ", 1)[1].split()[0]
    hashes = dict(get_user_model().objects.values_list("username", "password"))

    again = StringIO()
    call_command("quickstart", "--no-serve", stdout=again)

    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert get_user_model().objects.get(username="manager").check_password(password)
    assert "Passwords kept" in again.getvalue()

    reset = StringIO()
    call_command("quickstart", "--no-serve", "--reset-passwords", stdout=reset)

    new_password = reset.getvalue().rsplit("password: ", 1)[1].split()[0]
    assert new_password != password
    assert get_user_model().objects.get(username="manager").check_password(new_password)


def test_seed_demo_makes_up_a_password_when_none_is_given(db):
    output = seed()

    password = output.rsplit("password: ", 1)[1].strip()
    assert len(password) >= 12
    assert get_user_model().objects.get(username="manager").check_password(password)


def test_quickstart_without_serving_migrates_a_new_database_and_seeds_it(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}
    }
    environment["SQLITE_PATH"] = str(database)

    result = subprocess.run(
        [sys.executable, "manage.py", "quickstart", "--no-serve"],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert "Database ready." in result.stdout
    assert "Demo data ready (7 new incidents" in result.stdout
    assert "Open http" not in result.stdout  # it did not start a server
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM incidents_incident").fetchone() == (7,)
        assert (
            db.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'incidents'").fetchone()[
                0
            ]
            >= 2
        )
        assert db.execute("SELECT username FROM auth_user ORDER BY username").fetchall() == [
            ("admin",),
            ("comms",),
            ("manager",),
            ("viewer",),
        ]


class TestOneSeed:
    """Tests that start from the demo desk seeded once (the ``seeded`` fixture, kept for this
    class only: the tests after it need an empty database)."""

    def test_seed_demo_creates_users_with_their_roles_and_incidents_in_every_state(
        self, db, seeded
    ):
        output = seeded

        assert demo_users() == DEMO_USERS
        assert get_user_model().objects.get(username="admin").is_superuser
        assert get_user_model().objects.get(username="viewer").check_password(PASSWORD)
        assert "Demo data ready (7 new incidents" in output
        assert f"password: {PASSWORD}" in output
        assert sorted(Incident.objects.values_list("status", flat=True)) == sorted(
            [S.RESPONDING, S.TRIAGE, S.MONITORING, S.RESOLVED, S.CANCELLED, S.RESOLVED, S.CLOSED]
        )
        cancelled = Incident.objects.get(status=S.CANCELLED)
        assert cancelled.cancel_reason == "No recall exists: confirmed with the quality team"
        assert cancelled.history.first().history_user.username == "manager"
        assert AffectedParty.objects.count() == 6
        assert Incident.objects.filter(is_drill=True).count() == 1

    def test_seed_demo_run_twice_changes_nothing_the_second_time(self, db, seeded):
        # Seeded weeks ago: the second run, today, still changes nothing.
        before = everything()

        output = seed()

        assert "Demo data ready (0 new incidents" in output
        assert "Statements: 0 new." in output
        assert "Passwords kept for comms, manager, viewer, admin" in output
        assert "password:" not in output
        assert everything() == before
        assert Incident.objects.count() == 7
        assert get_user_model().objects.get(username="comms").check_password(PASSWORD)

    def test_seed_demo_keeps_passwords_even_when_given_one_unless_asked_to_reset(self, db, seeded):
        kept = seed("--password", "second-password")
        reset = seed("--password", "third-password", "--reset-passwords")

        assert "run with --reset-passwords to set new ones" in kept
        assert "password: third-password" in reset
        for username in DEMO_USERS:
            assert get_user_model().objects.get(username=username).check_password("third-password")

    def test_seed_demo_gives_a_password_only_to_the_users_it_creates(self, db, seeded):
        get_user_model().objects.get(username="viewer").delete()

        output = seed("--password", "for-the-new-one")

        assert "password (for viewer): for-the-new-one" in output
        assert get_user_model().objects.get(username="viewer").check_password("for-the-new-one")
        assert get_user_model().objects.get(username="comms").check_password(PASSWORD)

    def test_the_demo_desk_spreads_its_incidents_over_weeks(self, db, seeded):
        incidents = list(Incident.objects.order_by("declared_at"))
        declared = [i.declared_at for i in incidents]
        assert SEEDED - declared[0] > timedelta(weeks=4)
        assert SEEDED - declared[-1] < timedelta(hours=1)
        assert len({at.date() for at in declared}) == 6  # the last two came in today
        # References follow the order of declaration.
        assert [i.reference for i in incidents] == [f"CR-2026-{n:03d}" for n in range(1, 8)]
        for incident in incidents:
            times = [incident.detected_at, incident.declared_at]
            times += [t for t in (incident.resolved_at, incident.cancelled_at) if t]
            assert times == sorted(times) and times[-1] < SEEDED
            rows = list(incident.history.order_by("history_id"))
            assert rows[0].history_date == incident.declared_at
            assert [r.history_date for r in rows] == sorted(r.history_date for r in rows)
            for party in incident.affected_parties.all():
                assert incident.declared_at < party.created_at < SEEDED
                assert party.history.get().history_date == party.created_at

    def test_the_demo_desk_has_open_incidents_overdue_for_their_first_acknowledgement(
        self, db, seeded
    ):
        overdue = [
            incident.title
            for incident in Incident.objects.open()
            if incident.first_acknowledged_at is None
            and SEEDED - incident.detected_at > ACKNOWLEDGE_WITHIN[incident.severity]
        ]
        assert sorted(overdue) == [
            "Delivery delays spark a storm of angry replies",
            "Fake giveaway account impersonating the brand",
        ]
        acknowledged = Incident.objects.get(title="Checkout outage during the autumn sale")
        waited = acknowledged.first_acknowledged_at - acknowledged.detected_at
        assert waited < ACKNOWLEDGE_WITHIN[acknowledged.severity]
