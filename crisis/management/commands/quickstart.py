from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Set up the database, load the demo data and serve the app at 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare everything but do not start a server."
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the demo users a new password (by default they keep theirs).",
        )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database ready."))
        call_command("seed_demo", reset_passwords=options["reset_passwords"], stdout=self.stdout)
        if options["no_serve"]:
            return
        self.stdout.write(f"Open http://{options['addrport']}/ and sign in.")
        call_command("runserver", options["addrport"], use_reloader=False)
