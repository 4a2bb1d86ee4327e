"""quickstart runs a background worker beside its server, and stops it when the server stops."""

import sys

from django.conf import settings

from demo.management.commands import quickstart


def test_quickstart_starts_a_database_worker_and_stops_it_with_the_server(monkeypatch):
    started = []
    served = []

    class FakeWorker:
        pid = 4242
        terminated = False

        def __init__(self, args):
            started.append(args)

        def poll(self):
            return None

        def terminate(self):
            FakeWorker.terminated = True

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(quickstart.subprocess, "Popen", FakeWorker)
    monkeypatch.setattr(quickstart, "call_command", lambda name, *a, **k: served.append(name))

    quickstart.Command().handle(addrport="127.0.0.1:8000", no_serve=False, reset_passwords=False)

    assert started == [
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--no-reload"]
    ]
    assert served == ["migrate", "seed_demo", "runserver"]
    assert FakeWorker.terminated


def test_with_immediate_tasks_quickstart_starts_no_worker(monkeypatch, settings):
    settings.TASKS_BACKEND = "immediate"
    monkeypatch.setattr(quickstart.subprocess, "Popen", lambda *a, **k: 1 / 0)

    assert quickstart.Command().start_worker() is None
