from django.apps import AppConfig


class TeamConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "team"
    verbose_name = "Team call-outs"

    def ready(self):
        from crisis import navigation, offline, panels
        from team import directory
        from team import panels as ours

        navigation.register(navigation.Link("Contacts", "team:contacts", order=70, place="more"))
        offline.register(directory.kept_offline)
        panels.register(panels.incident_panels, ours.roll_call_panel, slot="aside", order=15)
        panels.register(
            panels.timeline_providers,
            ours.callout_entries,
            order=70,
            kinds={"callout": "Call-outs"},
        )
