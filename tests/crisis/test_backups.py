"""``manage.py backup`` and ``restore``: a round trip through a fresh database gives back every
record and every history row of every model, on SQLite and on PostgreSQL."""

import io
import shutil
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.utils import load_backend

from crisis import backups
from incidents.models import Incident
from responses.models import Statement
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

ENGINE = backups.engine_of(connection.settings_dict)
if ENGINE == "postgresql":
    # The PostgreSQL client tools are part of the set-up (README); missing, the test fails.
    assert shutil.which("pg_dump"), "pg_dump is needed for the PostgreSQL backup tests"


def fill():
    """A bit of everything: people, incidents through their verbs (history rows), statements
    reviewed and published, parties, action items, updates, templates, the sign-in audit."""
    factories.default_targets()
    comms = factories.make_comms()
    manager = factories.make_manager()
    incident = factories.make_incident(
        comms, title="Ünïcode – “quotes” and emoji 🚨", status=Incident.Status.RESPONDING
    )
    incident.monitor(by=comms, reason="Watching")
    factories.make_party(incident, description="Customers in the north\nsecond line")
    factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    factories.make_statement(incident, comms)
    factories.make_action_item(incident)
    factories.make_update(incident, kind="public")
    factories.make_plan_template()
    other = factories.make_incident(comms, title="Second", status=Incident.Status.RESPONDING)
    other.cancel(by=manager, reason="A parody account")
    leaver = factories.make_user("leaver")
    leaver.is_active = False
    leaver.save()
    from crisis import audit

    audit.record(audit.Kind.SIGN_IN_FAILED, username="someone")


def every_row(settings_dict):
    """Every row of every table (history tables, join tables and Django's own included), read
    through a connection of its own."""
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, alias=f"check-{uuid.uuid4().hex[:8]}"
    )
    try:
        with wrapper.cursor() as cursor:
            tables = sorted(wrapper.introspection.table_names(cursor))
            rows = {}
            for table in tables:
                cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)}")
                rows[table] = sorted(cursor.fetchall(), key=repr)
        return rows
    finally:
        wrapper.close()


@pytest.fixture
def fresh_database(tmp_path):
    """The settings of an empty database beside the test database."""
    settings_dict = {**connection.settings_dict}
    if ENGINE == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "fresh.sqlite3")
        yield settings_dict
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    settings_dict["NAME"] = name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_database_holds_every_record_and_history_row(
    tmp_path, fresh_database
):
    fill()
    before = every_row(connection.settings_dict)
    path = tmp_path / "crisis.backup"

    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "Backed up the database" in out.getvalue()

    backups.restore(fresh_database, path)
    after = every_row(fresh_database)

    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the round trip"
    # The comparison covered what matters.
    assert len(before["incidents_historicalincident"]) >= 4
    assert len(before["responses_historicalstatement"]) >= 3
    assert before["crisis_securityevent"]


def test_restore_puts_the_running_database_back_as_it_was(tmp_path):
    fill()
    before = every_row(connection.settings_dict)
    path = tmp_path / "crisis.backup"
    call_command("backup", str(path), stdout=io.StringIO())

    # What happens after the backup is lost by restoring it.
    factories.make_incident(Incident.objects.first().declared_by, title="After the backup")
    Statement.history.all().delete()

    call_command("restore", str(path), interactive=False, stdout=io.StringIO())

    assert every_row(connection.settings_dict) == before
    assert not Incident.objects.filter(title="After the backup").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    fill()
    before = every_row(connection.settings_dict)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")

    with pytest.raises(CommandError, match="is not a"):
        call_command("restore", str(junk), interactive=False)
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing"), interactive=False)

    assert every_row(connection.settings_dict) == before


def test_restore_asks_first(tmp_path, monkeypatch):
    path = tmp_path / "crisis.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(path))


def test_a_backup_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    path = tmp_path / "crisis.backup"
    path.write_bytes(b"yesterday's backup")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "_sqlite_backup", disk_full)
    monkeypatch.setattr(backups, "_run", disk_full)
    with pytest.raises(OSError):
        call_command("backup", str(path), stdout=io.StringIO())

    assert path.read_bytes() == b"yesterday's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["crisis.backup"]


def test_a_backup_of_a_missing_sqlite_file_is_refused_not_made_empty(tmp_path):
    settings_dict = {**connection.settings_dict}
    if ENGINE != "sqlite":
        settings_dict = {"ENGINE": "django.db.backends.sqlite3"}
    settings_dict["NAME"] = str(tmp_path / "gone.sqlite3")
    with pytest.raises(backups.BackupError, match="There is no database"):
        backups.backup(settings_dict, tmp_path / "x.backup")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
