from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audiences"
    verbose_name = "Audiences and variants"

    def ready(self):
        from audiences import pages
        from crisis import panels

        # The statement page lists the core's variants and offers a new one.
        panels.register(panels.statement_panels, pages.variants_panel, order=10)
        # The public page shows a customers variant in the reader's language.
        panels.register_page_translation(pages.PAGE_TRANSLATION)
