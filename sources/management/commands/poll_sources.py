from django.core.management.base import BaseCommand, CommandError

from sources import polling, tasks
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Poll the sources that are due (feeds, Mastodon hashtags, Bluesky searches) and store "
        "what they bring. For a cron line, e.g. every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Poll every active source now.")
        parser.add_argument(
            "--source", type=int, metavar="ID", help="Poll this one source now (not a paused one)."
        )

    def handle(self, *args, **options):
        if options["source"] is not None:
            source = Source.objects.filter(pk=options["source"]).first()
            if source is None:
                raise CommandError(f"No source {options['source']}.")
            stored, refusal = polling.poll_one(source)
            if refusal:
                raise CommandError(refusal)
            done = {source.pk: stored}
        else:
            done = polling.poll_due(everything=options["all"])
        for source in Source.objects.filter(pk__in=done):
            if source.last_error:
                self.stdout.write(f"{source.name}: failed: {source.last_error}")
            else:
                self.stdout.write(f"{source.name}: {done[source.pk]} new")
        self.stdout.write(f"Polled {len(done)} source(s).")
        # Where a worker runs too, make sure its job is queued (started, not doubled).
        tasks.ensure_polling()
