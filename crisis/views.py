from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.urls import reverse_lazy


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's own password change (old password first; this session stays signed in, the
    person's other sessions end), back to the dashboard with a message."""

    http_method_names = ["get", "head", "post"]
    success_url = reverse_lazy("incidents:dashboard")
    success_message = "Your password has been changed."
