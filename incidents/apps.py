from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"

    def ready(self):
        from crisis import panels
        from incidents import lessons
        from incidents import panels as ours

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
