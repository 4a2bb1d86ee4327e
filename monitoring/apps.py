from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Mentions: what is said about us, brought in by the API, CSV imports (and sources), read in
    the inbox and on each incident. It leans on incidents; incidents never imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    # The admin site's heading over API tokens and spike thresholds.
    verbose_name = "Mentions"

    def ready(self):
        from crisis import navigation, panels
        from monitoring import panels as ours
        from monitoring import triage

        navigation.register(navigation.Link("Inbox", "monitoring:inbox", order=50))
        # After the statements, the action plan and the updates (40): a phone shows what needs
        # doing before the conversation, whose lists are long on a busy incident.
        panels.register(panels.incident_panels, ours.mentions_panel, slot="main", order=45)
        panels.register(panels.dashboard_panels, ours.spikes_panel, slot="aside", order=10)
        panels.register(panels.postmortem_facts, ours.mention_facts, order=50)
        panels.register_declare_extension(triage.declare_from_mentions)
        panels.register_edit_listener(triage.offer_link_after_terms_change)
