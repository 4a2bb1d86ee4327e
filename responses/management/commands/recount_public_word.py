"""``manage.py recount_public_word [--check]``: recompute each incident's latest public word and
the next update it promised (what the response clock reads) from the published statements and
public updates, printing every difference; or only compare them. The publishing verbs keep them
exact themselves; this is for records written around them (a restore of one table, a bulk load
by hand) and for monitoring."""

from django.core.management.base import BaseCommand, CommandError

from responses import public_word

# How many differences the command prints; it counts them all.
SHOWN = 20


def _moment(value):
    return value.isoformat() if value else "none"


class Command(BaseCommand):
    help = (
        "Recompute each incident's latest public word and promised update from its statements "
        "and updates (--check: only compare, exit 1 on a difference)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the recorded public word with the records and change nothing.",
        )

    def handle(self, *args, check, **options):
        wrong = public_word.differences()
        for incident, (word_at, promised_at), (found_at, found_promised_at) in wrong[:SHOWN]:
            self.stdout.write(
                f"{incident.reference}: recorded word {_moment(word_at)}, promise "
                f"{_moment(promised_at)}; found word {_moment(found_at)}, promise "
                f"{_moment(found_promised_at)}"
            )
        if len(wrong) > SHOWN:
            self.stdout.write(f"… and {len(wrong) - SHOWN} more.")
        if not wrong:
            self.stdout.write("Every incident's public word matches its statements and updates.")
            return
        if check:
            raise CommandError(
                f"{len(wrong)} incidents' public word differs from their statements and "
                "updates: run recount_public_word."
            )
        changed = public_word.recount()
        self.stdout.write(f"Public word recounted: {changed} incidents corrected.")
