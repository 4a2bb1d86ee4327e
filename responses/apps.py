from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "responses"

    def ready(self):
        from crisis import panels
        from responses import panels as ours

        panels.register(panels.incident_panels, ours.statements_panel, slot="main", order=20)
        panels.register(panels.incident_panels, ours.public_page_panel, slot="aside", order=20)
        panels.register(
            panels.timeline_providers, ours.statement_entries, order=30, kinds=ours.STATEMENT_KINDS
        )
        panels.register(
            panels.timeline_providers,
            ours.publication_entries,
            order=35,
            kind="publication",
            label="Publications",
        )
        panels.register(panels.dashboard_panels, ours.awaiting_review_panel, slot="aside", order=20)
