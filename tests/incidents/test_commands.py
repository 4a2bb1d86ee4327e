"""The operational commands: seed_demo (demo data, safe to run again) and quickstart."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from incidents.models import AffectedParty, Incident

S = Incident.Status
DEMO_USERS = {
    # username: (groups, is_staff)
    "comms": (["Comms"], False),
    "manager": (["Managers"], False),
    "viewer": ([], False),
    "admin": ([], True),
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


def test_seed_demo_creates_users_with_their_roles_and_incidents_in_every_state(db):
    output = seed("--password", "demo-password-for-tests")

    assert demo_users() == DEMO_USERS
    assert get_user_model().objects.get(username="admin").is_superuser
    assert get_user_model().objects.get(username="viewer").check_password("demo-password-for-tests")
    assert "Demo data ready (6 new incidents" in output
    assert "password: demo-password-for-tests" in output
    assert sorted(Incident.objects.values_list("status", flat=True)) == sorted(
        [S.RESPONDING, S.TRIAGE, S.MONITORING, S.RESOLVED, S.CANCELLED, S.RESOLVED]
    )
    cancelled = Incident.objects.get(status=S.CANCELLED)
    assert cancelled.cancel_reason == "No recall exists: confirmed with the quality team"
    assert cancelled.history.first().history_user.username == "manager"
    assert AffectedParty.objects.count() == 6
    assert Incident.objects.filter(is_drill=True).count() == 1


def test_seed_demo_run_twice_adds_nothing_the_second_time(db):
    seed("--password", "first-password")
    incidents = Incident.objects.count()
    parties = AffectedParty.objects.count()

    output = seed("--password", "second-password")

    assert "Demo data ready (0 new incidents" in output
    assert Incident.objects.count() == incidents == 6
    assert AffectedParty.objects.count() == parties
    assert get_user_model().objects.filter(username__in=DEMO_USERS).count() == 4
    assert demo_users() == DEMO_USERS
    assert get_user_model().objects.get(username="comms").check_password("second-password")


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
    assert "Demo data ready (6 new incidents" in result.stdout
    assert "Open http" not in result.stdout  # it did not start a server
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM incidents_incident").fetchone() == (6,)
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
