from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "responses"

    def ready(self):
        from crisis import clocks, navigation, offline, panels
        from responses import declare
        from responses import panels as ours
        from responses.models import response_target
        from responses.views import playbooks

        navigation.register(navigation.Link("Reports", "responses:report", order=30))
        navigation.register(
            navigation.Link("Playbooks", "responses:playbooks", order=60, place="more")
        )
        offline.register(playbooks.kept_offline)
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
        panels.register(panels.incident_panels, ours.action_plan_panel, slot="main", order=40)
        panels.register(
            panels.timeline_providers,
            ours.action_item_entries,
            order=40,
            kind="action_item",
            label="Action items",
        )
        panels.register(panels.dashboard_panels, ours.my_action_items_panel, slot="aside", order=30)
        panels.register(panels.incident_panels, ours.plan_template_panel, slot="aside", order=30)
        panels.register(
            panels.timeline_providers,
            ours.plan_application_entries,
            order=40,
            kind="template",
            label="Plan templates",
        )
        panels.register_declare_extension(declare.declare_with_template)
        panels.register(panels.incident_panels, ours.updates_panel, slot="main", order=40)
        panels.register(
            panels.timeline_providers, ours.update_entries, order=50, kind="update", label="Updates"
        )
        panels.register(
            panels.dashboard_panels, ours.awaiting_publication_panel, slot="aside", order=25
        )
        # The clocks' targets are kept here: they ask here for them, all at once.
        clocks.register_targets_source(response_target.kept_minutes)
        panels.register(
            panels.incident_panels, ours.unfinished_prevention_panel, slot="main", order=55
        )

        from responses import postmortem

        # What the post-mortem needs from this app: its gates, facts and report sections.
        panels.register(panels.close_gates, postmortem.open_rectify_items, order=10)
        panels.register(panels.close_gates, postmortem.waiting_statements, order=20)
        panels.register(panels.close_gates, postmortem.waiting_public_updates, order=30)
        panels.register(panels.postmortem_facts, postmortem.response_facts, order=30)
        panels.register(panels.postmortem_facts, postmortem.action_plan_facts, order=40)
        panels.register(panels.report_sections, postmortem.statement_sections)
        panels.register(panels.report_sections, postmortem.action_plan_section)
