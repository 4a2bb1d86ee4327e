from django.core.management.base import BaseCommand

from crisis.models import SubmissionToken
from crisis.outbound.sending import deliver_due
from monitoring.models import MentionImport
from responses.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Mail the reminders that are due: leads before the first acknowledgement and each "
        "promised update, owners before action items, managers about public updates waiting "
        "for publication. Never sends one twice, even from two hosts at once: run it from cron "
        "every minute. Also deletes the receipts of forms sent more than a week ago, and the "
        "files failed imports kept for a retry a week ago."
    )

    def handle(self, *args, **options):
        outcome = send_due_reminders()
        if outcome.sent or options["verbosity"] > 1:
            self.stdout.write(f"Sent {outcome.sent} reminder{'s' if outcome.sent != 1 else ''}.")
        # The outbox's safety net rides on this cron line too: whatever is due (these reminders,
        # retries, rows a dead worker left) goes now, even with no worker running. Each row is
        # claimed first, so the worker and this never send one twice.
        delivered = deliver_due()
        if delivered.failed:
            self.stderr.write(
                f"{delivered.failed} delivery(ies) could not be sent; the outbox tries again "
                "(see Deliveries in the admin site)."
            )
        # Housekeeping that needs a scheduler too, so that it rides on this one's cron line.
        pruned = SubmissionToken.objects.prune()
        removed = MentionImport.objects.remove_old_failed_files()
        if options["verbosity"] > 1:
            self.stdout.write(f"Deleted {pruned} receipt(s) of forms sent over a week ago.")
            self.stdout.write(f"Removed {removed} file(s) of imports failed over a week ago.")
