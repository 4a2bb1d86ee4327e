"""gunicorn serving the bench database, and the CSV export streamed through it."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """gunicorn serving the bench database, as deployed (sync workers, DEBUG off)."""

    def __init__(self, workers):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "crisis.wsgi:application",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
                "--timeout=120",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(100):
            try:
                HTTPConnection("127.0.0.1", self.port, timeout=1).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        self.wrk = shutil.which("wrk")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path, cookie, headers=None):
        conn = HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body

    def load(self, path, cookie, seconds, connections, headers=None, expect=200):
        """Requests per second on ``path``, each sent with ``cookie`` and the extra ``headers``
        (a conditional request's If-None-Match, say), each answered ``expect``."""
        status, _body = self.get(path, cookie, headers)
        if status != expect:
            raise SystemExit(f"gunicorn answered {status} for {path}, not {expect}")
        headers = {"Cookie": cookie, **(headers or {})}
        if self.wrk:
            extra = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
            out = subprocess.run(
                [
                    self.wrk,
                    f"-c{connections}",
                    "-t2",
                    f"-d{max(1, round(seconds))}s",
                    *extra,
                    self.url(path),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            if "Non-2xx" in out:  # wrk counts a 304 as an answer, not an error
                raise SystemExit(f"wrk saw errors for {path}:\n{out}")
            line = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
            return round(float(line.split()[1]), 1)
        return self._threaded_load(path, headers, seconds, connections, expect)

    def _threaded_load(self, path, headers, seconds, connections, expect):
        """wrk's job, done with threads and keep-alive connections when wrk is missing."""
        done = []
        stop = time.perf_counter() + seconds

        def worker():
            count = 0
            conn = HTTPConnection("127.0.0.1", self.port, timeout=120)
            while time.perf_counter() < stop:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != expect:
                    raise SystemExit(f"{path} answered {response.status} under load")
                count += 1
            done.append(count)

        threads = [threading.Thread(target=worker) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return round(sum(done) / seconds, 1)

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def export(server, cookie, path):
    """Stream the CSV of every incident; the first byte, the whole, the worker's memory."""
    for _ in range(4):  # both workers past their first request (lazy imports)
        server.get("/incidents/export.csv?show=open", cookie)
    before = {pid: rss_mb(pid) for pid in server.workers()}
    peak = dict(before)
    conn = HTTPConnection("127.0.0.1", server.port, timeout=300)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    first = response.read(1)
    first_byte = time.perf_counter() - start
    size, lines = 1, first.count(b"\n")
    while chunk := response.read(65536):
        size += len(chunk)
        lines += chunk.count(b"\n")
        for pid in peak:
            peak[pid] = max(peak[pid], rss_mb(pid))
    total = time.perf_counter() - start
    growth = max(peak[pid] - before[pid] for pid in before)
    result = {
        "status": response.status,
        "first_byte_s": round(first_byte, 2),
        "total_s": round(total, 2),
        "rows": lines - 1,
        "megabytes": round(size / 1e6, 1),
        "worker_memory_growth_mb": round(growth, 1),
    }
    print(f"  CSV export: {result}", flush=True)
    return result
