from django.core.management.base import BaseCommand

from subscriptions.models import Subscription


class Command(BaseCommand):
    help = "Delete the subscriptions never confirmed whose link expired (their addresses too)."

    def handle(self, *args, **options):
        deleted = Subscription.objects.prune()
        self.stdout.write(f"Deleted {deleted} unconfirmed subscription(s).")
