from django.core.management.base import BaseCommand

from sources import polling, tasks
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Poll the sources that are due (feeds, Mastodon hashtags, Bluesky searches) and store "
        "what they bring. For a cron line, e.g. every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Poll every active source now.")

    def handle(self, *args, **options):
        done = polling.poll_due(everything=options["all"])
        for source in Source.objects.filter(pk__in=done):
            if source.last_error:
                self.stdout.write(f"{source.name}: failed: {source.last_error}")
            else:
                self.stdout.write(f"{source.name}: {done[source.pk]} new")
        self.stdout.write(f"Polled {len(done)} source(s).")
        # Where a worker runs too, make sure its job is queued (started, not doubled).
        tasks.ensure_polling()
