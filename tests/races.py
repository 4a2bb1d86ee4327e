"""Run the same verb from several threads at the same moment, each on its own database connection.

On PostgreSQL the later threads wait on the row lock (``select_for_update``) and then find the
record already moved on. On SQLite, IMMEDIATE transactions queue writers on the database lock
with the same result; should SQLite give up waiting ("database is locked"), that attempt counts
as refused: what matters is that exactly one succeeds and the record shows one decision.
"""

import threading

from django.db import OperationalError, connections

from crisis.lifecycle import StaleEdit, TransitionRefused

# What a losing thread may meet: a refused move, a stale edit, or SQLite's lock timeout.
REFUSALS = (TransitionRefused, StaleEdit)


def race(actors, act, *, refusals=REFUSALS):
    """Run ``act(actor)`` for every actor at the same moment; return (successes, refusals).

    Any other exception fails the calling test with every thread's error listed.
    """
    start = threading.Barrier(len(actors))
    successes, refused, errors = [], [], []

    def run(actor):
        try:
            start.wait(timeout=10)
            act(actor)
            successes.append(actor)
        except refusals as refusal:
            refused.append(str(refusal))
        except OperationalError as locked:
            if "locked" not in str(locked):
                errors.append(repr(locked))
            refused.append(str(locked))
        except Exception as error:  # reported below, with every thread's result
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
    assert errors == []
    return successes, refused
