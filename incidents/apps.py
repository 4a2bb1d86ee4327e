from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"

    def ready(self):
        from crisis import panels
        from incidents import panels as ours
        from incidents import triage

        panels.register(panels.incident_panels, ours.parties_panel, slot="main", order=30)
        panels.register(
            panels.timeline_providers, ours.incident_entries, order=10, kinds=ours.INCIDENT_KINDS
        )
        panels.register(
            panels.timeline_providers, ours.party_entries, order=20, kinds=ours.PARTY_KINDS
        )
        panels.register(panels.incident_panels, ours.mentions_panel, slot="main", order=25)
        panels.register(panels.dashboard_panels, ours.spikes_panel, slot="aside", order=10)
        panels.register_declare_extension(triage.declare_from_mentions)
