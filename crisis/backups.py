"""Backups of the whole database, and restoring one (``manage.py backup`` and ``restore``).

PostgreSQL: ``pg_dump`` in its custom format (compressed, restored table by table by
``pg_restore``), taken while the app runs (one consistent snapshot). SQLite: the sqlite3 backup
API, which copies the database page by page while the app keeps using it, into a file that is
itself a SQLite database. Each function takes a connection's settings dictionary, so a backup can
be restored into a database other than the app's (the round-trip test restores into a fresh one).
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    pass


def engine_of(settings_dict):
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith(("postgresql", "postgis")):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def backup(settings_dict, path):
    """Write a backup of the database to ``path`` (replaced only once the copy is complete)."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the backup file's name.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if engine_of(settings_dict) == "sqlite":
            _sqlite_backup(settings_dict["NAME"], partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], settings_dict)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(settings_dict, path):
    """Replace everything in the database with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if engine_of(settings_dict) == "sqlite":
        if header != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite backup.")
        _sqlite_restore(path, settings_dict["NAME"])
    else:
        if not header.startswith(PG_CUSTOM_HEADER):
            raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump --format=custom).")
        # One transaction: a restore that fails half-way leaves the database as it was.
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={settings_dict['NAME']}",
                str(path),
            ],
            settings_dict,
        )


def _sqlite_backup(source_name, target):
    if not Path(source_name).is_file():
        # sqlite3 would make an empty database there and back that up.
        raise BackupError(f"There is no database at {source_name}.")
    source = sqlite3.connect(source_name, timeout=30)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
        _check_sqlite(copy, target)
    finally:
        copy.close()
        source.close()


def _sqlite_restore(backup_path, target_name):
    # Checked before anything is overwritten; the copy replaces the target's pages in one step,
    # under the target's write lock, so the app's other connections wait and then see it whole.
    source = sqlite3.connect(backup_path)
    try:
        _check_sqlite(source, backup_path)
        target = sqlite3.connect(target_name, timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _check_sqlite(connection, name):
    (result,) = connection.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise BackupError(f"{name} failed SQLite's integrity check: {result}")


def _run(command, settings_dict):
    """Run a PostgreSQL client tool with the connection's settings in its environment (never on
    the command line, where other users of the machine could read the password)."""
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools of the "
            "server's version (for example the postgresql-client package)."
        )
    env = {**os.environ}
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ]:
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        if done.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupError(f"{command[0]} failed: {message}")
