from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subscriptions"

    def ready(self):
        from crisis import panels
        from crisis.outbound import listen
        from subscriptions import mail, views

        # The readers hear of what the team publishes: the kernel asks us for their mail.
        listen(mail.reader_deliveries)
        panels.register(panels.incident_panels, views.subscribers_panel, slot="aside", order=25)
