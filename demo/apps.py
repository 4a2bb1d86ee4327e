from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo desk: ``seed_demo`` and ``quickstart``, its data (``demo.data``) apart from the
    story that tells it through the models' verbs (``demo.story``). No models."""

    name = "demo"
    verbose_name = "Demo"
