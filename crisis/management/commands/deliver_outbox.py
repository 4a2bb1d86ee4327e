from django.core.management.base import BaseCommand

from crisis.outbound.sending import deliver_due


class Command(BaseCommand):
    help = (
        "Send every outbox delivery that is due now: retries whose time has come and rows a "
        "dead worker left behind once their lease ran out. The worker (manage.py db_worker) "
        "sends new deliveries at once; run this from cron every few minutes as a safety net "
        "(send_reminders runs it too). Never sends a row twice at once: each is claimed first."
    )

    def handle(self, *args, **options):
        swept = deliver_due()
        if swept.sent or options["verbosity"] > 1:
            self.stdout.write(f"Sent {swept.sent}, failed {swept.failed}.")
