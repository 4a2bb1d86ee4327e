from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from crisis import backups


class Command(BaseCommand):
    help = (
        "Write a backup of the whole database to PATH while the app runs: pg_dump's custom "
        "format on PostgreSQL, an online copy on SQLite. Restore it with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to write (replaced if it exists).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, database, **options):
        try:
            written = backups.backup(connections[database].settings_dict, path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        size = written.stat().st_size
        self.stdout.write(f"Backed up the database to {written} ({size:,} bytes).")
