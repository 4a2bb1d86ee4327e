"""The crowd of bench/mixed.py: people browsing and a listening tool posting mentions, with locust.

Importing locust patches the standard library with gevent (sockets, threads, subprocesses), so
this module is imported by bench/mixed.py's ``main()`` before anything else that opens a socket,
and by nothing else: bench/run.py and bench/report.py stay in plain threads.
"""

import itertools
import json
import random
import time
from datetime import UTC, datetime

import gevent
from locust import FastHttpUser, between, constant, task
from locust.env import Environment

from bench import ingest


def run_phase(host, pages, cookies, *, people, seconds, think, feed=None):
    """``people`` browse ``pages`` for ``seconds`` (or, with ``feed``, while it runs): returns
    ``{page name: {"times": [ms, ...], "failures": n, "errors": [first messages]}}`` and the
    feed's result. ``pages`` are ``(name, path, weight, signed_in)``; ``think`` the seconds a
    person waits between two pages, None for none (one person reading the pages in turn). With
    no people, the feed runs alone."""
    Person.pages = pages
    Person.cookies = itertools.cycle(cookies)
    Person.wait_time = between(*think) if think else constant(0)
    Person.in_turn = not think
    Person.host = host
    environment = Environment(user_classes=[Person], host=host)
    seen = {name: {"times": [], "failures": 0, "errors": []} for name, *_rest in pages}

    def record(request_type, name, response_time, exception=None, **_ignored):
        if name not in seen:
            seen[name] = {"times": [], "failures": 0, "errors": []}
        seen[name]["times"].append(response_time)
        if exception is not None:
            seen[name]["failures"] += 1
            if len(seen[name]["errors"]) < 3:
                seen[name]["errors"].append(str(exception)[:200])

    environment.events.request.add_listener(record)
    runner = environment.create_local_runner()
    if people:
        runner.start(people, spawn_rate=people)
    fed = None
    if feed:
        fed = feed(environment)
    else:
        gevent.sleep(seconds)
    runner.quit()
    environment.stats.reset_all()
    return seen, fed


class Person(FastHttpUser):
    """Someone on the desk reading the pages in ``pages`` by weight, as a browser does: signed in
    with their session cookie, and, where the page gave an ETag or Last-Modified, asking again
    with If-None-Match / If-Modified-Since (a 304 is then a right answer). A redirect (to the
    sign-in page, say) or any other status is a failure."""

    pages = []
    cookies = None
    in_turn = False

    def on_start(self):
        self.cookie = next(self.cookies)
        self.validators = {}
        # In turn, each page as often as its weight: the alone phase reads the day's mix.
        self.turn = itertools.cycle([page for page in self.pages for _ in range(page[2])])

    @task
    def read_a_page(self):
        if self.in_turn:
            name, path, _weight, signed_in = next(self.turn)
        else:
            name, path, _weight, signed_in = random.choices(
                self.pages, weights=[weight for _n, _p, weight, _s in self.pages]
            )[0]
        headers = {"Cookie": self.cookie} if signed_in else {}
        headers.update(self.validators.get(path, {}))
        with self.client.get(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 304 and path in self.validators:
                response.success()
            elif response.status_code == 200:
                validators = {}
                if etag := response.headers.get("ETag"):
                    validators["If-None-Match"] = etag
                if modified := response.headers.get("Last-Modified"):
                    validators["If-Modified-Since"] = modified
                self.validators[path] = validators
                response.success()
            else:
                response.failure(f"{response.status_code} for {path}")


def mention_feed(port, token, *, rate, batch, seconds, senders, prefix, given):
    """A listening tool posting ``rate`` mentions a second in batches of ``batch`` through the
    API, for ``seconds``, from ``senders`` connections at most (batch n is due at n × batch /
    rate seconds; a sender behind schedule posts at once). Each batch holds new mentions
    (``prefix``-numbered external ids, posted now) made by bench/ingest.py. Stops sending once
    the schedule is done or a second past ``seconds``; returns a callable for run_phase."""

    def feed(environment):
        interval = batch / rate
        planned = round(seconds * rate / batch)
        numbers = itertools.count()
        answers = []
        start = time.perf_counter()
        stop_at = start + seconds + 1

        def sender():
            rng = random.Random()
            while (n := next(numbers)) < planned:
                due = start + n * interval
                now = time.perf_counter()
                if now >= stop_at:
                    return
                if due > now:
                    gevent.sleep(due - now)
                body = json.dumps(_batch(n, batch, prefix, given, rng)).encode()
                sent = time.perf_counter()
                try:
                    status, answer = ingest.post(port, token, body)
                    error = _refused(status, answer, batch)
                except Exception as exception:  # a 502, a reset, an HTML error page
                    status, answer, error = None, {}, repr(exception)
                took = (time.perf_counter() - sent) * 1000
                answers.append((status, answer, error, time.perf_counter()))
                environment.events.request.fire(
                    request_type="POST",
                    name="API, batch of mentions",
                    response_time=took,
                    response_length=len(body),
                    exception=error,
                    context={},
                )

        gevent.joinall([gevent.spawn(sender) for _ in range(senders)])
        last = max((finished for *_rest, finished in answers), default=start)
        return {
            "planned_mentions": planned * batch,
            "batches": len(answers),
            "failed_batches": sum(error is not None for _s, _a, error, _f in answers),
            "created": sum(answer.get("created", 0) for _s, answer, _e, _f in answers),
            "duplicates": sum(answer.get("duplicates", 0) for _s, answer, _e, _f in answers),
            "rejected": sum(len(answer.get("rejected", ())) for _s, answer, _e, _f in answers),
            "seconds": round(last - start, 2),
            "errors": [error for _s, _a, error, _f in answers if error][:3],
        }

    return feed


def _batch(n, size, prefix, given, rng):
    now = datetime.now(UTC).isoformat()
    first = n * size
    return [
        {**ingest.item(k, prefix, given=given, rng=rng), "posted_at": now}
        for k in range(first, first + size)
    ]


def _refused(status, answer, size):
    if status != 200:
        return f"{status}: {answer}"[:200]
    if answer.get("created") != size or answer.get("rejected"):
        return f"stored {answer.get('created')} of {size}: {answer}"[:200]
    return None
