from django.apps import AppConfig


class SourcesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sources"
    verbose_name = "Sources polled for mentions"

    def ready(self):
        from crisis import navigation
        from sources import checks  # noqa: F401 (registers the deploy check)

        navigation.register(navigation.Link("Sources", "sources:list", order=65, place="more"))
