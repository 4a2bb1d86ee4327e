"""quickstart runs a background worker beside its server, and stops it when the server stops."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

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


def test_stopping_quickstart_with_sigterm_stops_its_worker(tmp_path):
    # The real command in its own process, on a SQLite file of its own: a service manager's
    # SIGTERM must not leave the worker running, an orphan.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "demo.sqlite3"), "TASKS_BACKEND": "database"}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "quickstart"]
    server = subprocess.Popen(
        [*command, f"127.0.0.1:{port}"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        worker_pid = None
        for line in server.stdout:
            if match := re.search(r"Background worker started \(process (\d+)\)", line):
                worker_pid = int(match.group(1))
                break
        assert worker_pid, "quickstart said nothing of its worker"
        _wait_until(lambda: _answers(port), "the server to answer")

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

        _wait_until(lambda: not _alive(worker_pid), "the worker to stop")
    finally:
        if server.poll() is None:
            server.kill()


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _alive(pid):
    """Whether process ``pid`` (the server's child, not ours) still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"  # a zombie has stopped


def _wait_until(condition, what, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)
