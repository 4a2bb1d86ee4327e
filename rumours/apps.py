from django.apps import AppConfig


class RumoursConfig(AppConfig):
    """Rumours: what is claimed about an incident, and what is true. Leans on incidents,
    monitoring (where a claim was seen) and responses (the statement that answers it); nothing
    leans on it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rumours"

    def ready(self):
        from crisis import navigation, panels
        from rumours import panels as ours

        navigation.register(navigation.Link("Rumours", "rumours:log", order=62, place="more"))
        # After the mentions (45), where the claims are seen.
        panels.register(panels.incident_panels, ours.rumours_panel, slot="main", order=47)
        panels.register(
            panels.timeline_providers, ours.rumour_entries, order=60, kind="rumour", label="Rumours"
        )
        # "What is true" on the public page: claims found false, with their corrections.
        panels.register_public_section(ours.PUBLIC_SECTION)
