"""Records built once for a module's tests, for the tests that only read them (or change them in
their own savepoint): a world built through the domain verbs costs more than the test reading it.
"""

from django.db import transaction


def built_once(django_db_blocker, build):
    """For a module- or class-scoped fixture, ``yield from built_once(django_db_blocker, build)``:
    runs ``build()`` in a transaction held open until the module's (or class's) last test, then
    rolled back; the tests after the first that asks for it see the records too, whether they ask
    or not. Each
    test asking for pytest-django's ``db`` runs in a savepoint of its own inside it, so what a test
    adds, changes or deletes is gone before the next; the database stays blocked between tests
    for those that do not ask for it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException as error:
            outer.__exit__(type(error), error, error.__traceback__)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
