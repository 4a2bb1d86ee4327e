from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"

    def ready(self):
        from crisis import lifecycle, navigation, offline, panels
        from incidents import lessons
        from incidents import panels as ours
        from incidents.offline import led_incidents

        # The navigation bar's pages (Reports, from responses, goes between Incidents and
        # Lessons) and its button for those who may declare.
        for link in (
            navigation.Link("Dashboard", "incidents:dashboard", order=10),
            navigation.Link("Incidents", "incidents:list", order=20),
            navigation.Link("Lessons", "incidents:lessons", order=40),
            navigation.Link(
                "Declare incident",
                "incidents:create",
                place="action",
                permission="incidents.add_incident",
            ),
        ):
            navigation.register(link)
        offline.register(led_incidents)
        panels.register(panels.incident_panels, ours.parties_panel, slot="main", order=30)
        panels.register(
            panels.timeline_providers, ours.incident_entries, order=10, kinds=ours.INCIDENT_KINDS
        )
        panels.register(
            panels.timeline_providers, ours.party_entries, order=20, kinds=ours.PARTY_KINDS
        )
        panels.register(panels.incident_panels, lessons.lessons_panel, slot="main", order=50)
        panels.register(panels.incident_panels, ours.postmortem_panel, slot="aside", order=10)
        panels.register(
            panels.timeline_providers,
            ours.postmortem_entries,
            order=60,
            kinds=ours.POSTMORTEM_KINDS,
        )
        panels.register(panels.postmortem_facts, ours.lifecycle_facts, order=10)
        panels.register(panels.postmortem_facts, ours.party_facts, order=20)
        from incidents.models.incident import FROZEN_INCIDENT_STATUSES, Incident

        # Every record of an incident is frozen with it: the kernel's guard asks the incident.
        lifecycle.register_frozen_owner(Incident, FROZEN_INCIDENT_STATUSES)
        post_migrate.connect(restore_search_triggers, sender=self)


def restore_search_triggers(using="default", **kwargs):
    """Keep the SQLite search table's triggers after every migrate: a later migration that makes
    SQLite rebuild the incidents table (a new constraint, an altered field) drops them with the
    old table, and the search would silently miss new words. Recreated and the table reindexed
    only when missing; nothing to do on PostgreSQL, whose index is on the table itself."""
    from django.db import connections

    from incidents.migrations import _search

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if _search.TABLE not in tables:
            return  # before migration 0005
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{_search.TABLE}_%"],
        )
        if cursor.fetchone()[0] == len(_search.SQLITE_TRIGGERS):
            return
        for action in ("insert", "delete", "update"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {_search.TABLE}_{action}")
        for trigger in _search.SQLITE_TRIGGERS:
            cursor.execute(trigger)
        cursor.execute(f"INSERT INTO {_search.TABLE}({_search.TABLE}) VALUES ('rebuild')")
