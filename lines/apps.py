from django.apps import AppConfig


class LinesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lines"
    verbose_name = "Approved lines"

    def ready(self):
        from crisis import navigation, panels
        from lines import offer

        navigation.register(navigation.Link("Lines", "lines:list", order=65, place="more"))
        # Drafting a statement offers the approved lines of the incident's category.
        panels.register(panels.form_aid_registry("statement"), offer.lines_aid, order=10)
