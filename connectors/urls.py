from django.urls import path

from connectors import views

app_name = "connectors"
urlpatterns = [
    path(
        "statements/<int:pk>/posts/<int:attempt_pk>/retry/",
        views.post_retry,
        name="post-retry",
    ),
    path(
        "updates/<int:pk>/posts/<int:attempt_pk>/retry/",
        views.update_post_retry,
        name="update-post-retry",
    ),
]
