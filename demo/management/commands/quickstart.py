import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Set up the database, load the demo data and serve the app at 127.0.0.1:8000, with a "
        "background worker for imports."
    )

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
        worker = self.start_worker()
        self.stdout.write(f"Open http://{options['addrport']}/ and sign in.")
        # A service manager or `kill` stops the server with SIGTERM, whose default action ends
        # the process at once: the worker would live on, an orphan. Leave through the finally.
        signal.signal(signal.SIGTERM, _leave)
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            self.stop_worker(worker)

    def start_worker(self):
        """The background worker (CSV imports) as a child process, beside the server; None when
        tasks run inside the request anyway (TASKS_BACKEND=immediate)."""
        if settings.TASKS_BACKEND != "database":
            return None
        worker = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--no-reload"]
        )
        self.stdout.write(f"Background worker started (process {worker.pid}).")
        return worker

    def stop_worker(self, worker):
        if worker is None or worker.poll() is not None:
            return
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _leave(signum, frame):
    raise SystemExit(0)
