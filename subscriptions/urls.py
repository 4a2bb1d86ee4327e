from django.urls import path

from subscriptions import views

app_name = "subscriptions"

# Under the public pages' addresses (p/, status/), so a wrong link gets their plain "not found".
urlpatterns = [
    path("p/<token:token>/subscribe/", views.subscribe, name="subscribe-page"),
    path("status/subscribe/", views.subscribe, name="subscribe-status"),
    path("status/subscribe/sent/", views.subscribe_sent, name="sent"),
    path("status/subscribe/confirm/<str:secret>/", views.confirm, name="confirm"),
    path("status/unsubscribe/<str:key>/", views.unsubscribe, name="unsubscribe"),
    path(
        "incidents/<reference:reference>/subscribers/",
        views.subscriber_list,
        name="subscriber-list",
    ),
]
