from django.apps import AppConfig


class PressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "press"
    verbose_name = "Media inquiries"

    def ready(self):
        from crisis import navigation, panels
        from lines import offer
        from press import panels as ours
        from press import reminders
        from responses.reminders import register_source

        navigation.register(
            navigation.Link("Media inquiries", "press:list", order=62, place="more")
        )
        panels.register(panels.incident_panels, ours.inquiries_panel, slot="main", order=25)
        panels.register(
            panels.timeline_providers,
            ours.inquiry_entries,
            order=75,
            kinds={"media_inquiry": "Media inquiries"},
        )
        panels.register(panels.postmortem_facts, ours.inquiry_facts)
        # Drafting an answer offers the approved lines, as drafting a statement does.
        panels.register(panels.form_aid_registry("media_answer"), offer.lines_aid, order=10)
        register_source(reminders.deadline_reminders)
