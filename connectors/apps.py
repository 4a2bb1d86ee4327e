from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "connectors"
    verbose_name = "Platform accounts"

    def ready(self):
        from connectors import checks  # noqa: F401 (registers the deploy check)
