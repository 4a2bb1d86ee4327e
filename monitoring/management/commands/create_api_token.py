"""``manage.py create_api_token NAME [--expires-in-days N]``: a token for a listening tool, for
scripts that set up an installation. The token is printed once; only its hash is kept."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a listening tool and print it (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Which tool uses it (unique).")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="Stop the token working after this many days (default: never).",
        )

    def handle(self, *args, name, expires_in_days, **options):
        expires_at = None
        if expires_in_days is not None:
            if expires_in_days <= 0:
                raise CommandError("--expires-in-days must be 1 or more.")
            expires_at = timezone.now() + timedelta(days=expires_in_days)
        try:
            _token, whole = ApiToken.issue(name.strip(), expires_at=expires_at)
        except ValidationError as error:
            messages = [m for ms in error.message_dict.values() for m in ms]
            raise CommandError(" ".join(messages)) from None
        self.stderr.write(f"Token “{name.strip()}” created. It is shown only now; keep it safe:")
        self.stdout.write(whole)
