from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from crisis import backups


class Command(BaseCommand):
    help = (
        "Replace EVERYTHING in the database with the backup at PATH (made by manage.py backup). "
        "Stop the app servers first. Asks to confirm unless --noinput."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to restore.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask to confirm.",
        )

    def handle(self, *args, path, database, interactive, **options):
        connection = connections[database]
        name = connection.settings_dict["NAME"]
        if interactive:
            answer = input(
                f"This replaces every record in {name} with the backup {path}. "
                "Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        # The backup replaces the database underneath this process's connection.
        connection.close()
        try:
            backups.restore(connection.settings_dict, path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {name} from {path}.")
