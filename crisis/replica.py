"""An optional read replica (``DATABASE_REPLICA_URL``) for the pages that read the most and may
lag a little behind: the reports and their CSV, the lessons search and the incident CSV export.

Those pages say so with ``.using(reading_database())``; everything else reads the default
database. A router sending reads to the replica would choose by model, and the same incidents are
read for editing, where a copy a few seconds old would refuse a save as stale or hide what was
just written: which reads may lag is a choice of the page, not of the model. The router below
only makes sure that nothing writes to the replica or migrates it, even a record that was read
from it.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"


def reading_database():
    """The alias the reading pages use: the replica when DATABASE_REPLICA_URL configures one
    (crisis/settings.py names it REPLICA), else the default database."""
    return REPLICA if settings.DATABASE_REPLICA_URL else DEFAULT_DB_ALIAS


class PrimaryRouter:
    """Writes and migrations go to the default database, whatever a record was read from."""

    def db_for_read(self, model, **hints):
        return None  # where the queryset says (the default, unless .using() names the replica)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS
