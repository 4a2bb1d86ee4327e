"""The project's admin site: Django's, with its read-only pages refusing an unsafe method.

The admin's index, an app's list of models, "view on site" and every registered model's history
list (ours and third-party ones alike: auth's, axes', django-otp's, the task queue's) only show
something; Django answers a POST to them as it answers a GET. Here they answer 405 to anything
but GET and HEAD, so a POST that does nothing is refused rather than served. The admin's forms
(add, change, delete, a changelist's actions, a password) are untouched. Made the default site by
``crisis.apps.CrisisAdminConfig`` (settings.INSTALLED_APPS).
"""

from django.contrib import admin
from django.urls import URLPattern, URLResolver
from django.views.decorators.http import require_safe

READ_ONLY_SITE_PAGES = {"index", "app_list", "view_on_site"}


class CrisisAdminSite(admin.AdminSite):
    def read_only_page_names(self):
        """The URL names (without the ``admin:`` namespace) of the pages that only show."""
        models = {f"{model._meta.app_label}_{model._meta.model_name}" for model in self._registry}
        return READ_ONLY_SITE_PAGES | {f"{model}_history" for model in models}

    def get_urls(self):
        return refuse_unsafe_methods(super().get_urls(), self.read_only_page_names())


def refuse_unsafe_methods(patterns, names):
    """``patterns`` with the views named in ``names``, at any depth, answering 405 to an unsafe
    method. The lists are the ones the admin just built for itself, changed in place."""
    for index, pattern in enumerate(patterns):
        if isinstance(pattern, URLResolver):
            refuse_unsafe_methods(pattern.urlconf_name, names)
        elif isinstance(pattern, URLPattern) and pattern.name in names:
            patterns[index] = URLPattern(
                pattern.pattern, require_safe(pattern.callback), pattern.default_args, pattern.name
            )
    return patterns
