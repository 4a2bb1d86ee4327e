"""``manage.py recount_mentions [--check]``: rebuild the mention counts (per incident or inbox,
UTC hour and sentiment) from the mentions, or only compare them. The app keeps them exact
itself; this is for mentions written around it (a restore of the mentions table alone, a bulk
load by hand) and for monitoring."""

from django.core.management.base import BaseCommand, CommandError

from monitoring import counts


class Command(BaseCommand):
    help = "Rebuild the mention counts from the mentions (--check: only compare, exit 1 on drift)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the counts with the mentions and change nothing.",
        )

    def handle(self, *args, check, **options):
        if not check:
            rows = counts.recount()
            self.stdout.write(f"Mention counts rebuilt: {rows} rows.")
            return
        wrong = counts.discrepancies()
        for incident_id, hour, label, counted, actual in wrong[:20]:
            where = f"incident {incident_id}" if incident_id else "the inbox"
            self.stdout.write(f"{where}, {hour}h UTC, {label}: counted {counted}, found {actual}")
        if wrong:
            raise CommandError(
                f"{len(wrong)} mention counts differ from the mentions: run recount_mentions."
            )
        self.stdout.write("The mention counts match the mentions.")
