from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from crisis import offline, operations, push_views, views
from crisis.forms import AdminLoginForm, LoginForm
from crisis.views import PasswordChangeView
from monitoring.api import api

admin.site.site_header = "Crisis Desk administration"
admin.site.site_title = "Crisis Desk admin"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/password/", PasswordChangeView.as_view(), name="password_change"),
    path("account/", views.account, name="account"),
    path("account/time-zone/", views.account_time_zone, name="account-time-zone"),
    path("account/contact/", views.account_contact, name="account-contact"),
    path("account/push/subscribe/", push_views.push_subscribe, name="account-push-subscribe"),
    path("account/push/remove/", push_views.push_remove, name="account-push-remove"),
    path("account/push/topics/", push_views.push_topics, name="account-push-topics"),
    path("account/two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path(
        "account/two-factor/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("account/two-factor/remove/", views.two_factor_remove, name="two-factor-remove"),
    # Answered by crisis.operations.HealthCheckMiddleware before any other middleware.
    path("healthz", operations.healthz, name="healthz"),
    # Installable and readable offline (docs/offline.md).
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web-manifest"),
    path("offline/manifest.json", offline.offline_manifest, name="offline-manifest"),
    path("admin/", admin.site.urls),
    # The mentions API (token authentication, OpenAPI schema at api/v1/openapi.json).
    path("api/v1/", api.urls),
    path("", include("connectors.urls")),
    path("", include("team.urls")),
    path("", include("subscriptions.urls")),
    path("", include("lines.urls")),
    path("", include("audiences.urls")),
    path("", include("press.urls")),
    path("", include("rumours.urls")),
    path("", include("sources.urls")),
    path("", include("responses.urls")),
    path("", include("monitoring.urls")),
    path("", include("incidents.urls")),
]

# The public pages' address space answers "not found" without naming the tool.
handler404 = "responses.views.page_not_found"
# Rendered without the request's context, which may be what failed.
handler400 = "crisis.operations.bad_request"
handler500 = "crisis.operations.server_error"
