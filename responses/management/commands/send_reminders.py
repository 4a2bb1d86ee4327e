from django.core.management.base import BaseCommand

from responses.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Mail the reminders that are due: leads before the first acknowledgement and each "
        "promised update, owners before action items, managers about public updates waiting "
        "for publication. Never sends one twice, even from two hosts at once: run it from cron "
        "every minute."
    )

    def handle(self, *args, **options):
        outcome = send_due_reminders()
        if outcome.sent or options["verbosity"] > 1:
            self.stdout.write(f"Sent {outcome.sent} reminder{'s' if outcome.sent != 1 else ''}.")
        if outcome.failed:
            self.stderr.write(
                f"{outcome.failed} reminder(s) could not be sent; the next run tries again."
            )
