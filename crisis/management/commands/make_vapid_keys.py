from django.core.management.base import BaseCommand, CommandError

from crisis.outbound import push


class Command(BaseCommand):
    help = (
        "Make a VAPID key for browser notifications and print the environment lines to set "
        "(WEB_PUSH_VAPID_PRIVATE_KEY, WEB_PUSH_CONTACT). Keep the key secret and keep it: a new "
        "one makes every browser turn notifications on again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contact",
            default="mailto:crisis-desk@example.com",
            help="Who a push service may write to about our pushes (mailto: or https:).",
        )

    def handle(self, *args, **options):
        contact = options["contact"]
        if not contact.startswith(("mailto:", "https://")):
            raise CommandError("--contact must be a mailto: or https: address.")
        self.stdout.write(f"WEB_PUSH_VAPID_PRIVATE_KEY={push.new_private_key()}")
        self.stdout.write(f"WEB_PUSH_CONTACT={contact}")
