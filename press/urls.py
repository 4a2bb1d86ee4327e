from django.urls import path

from press import views

app_name = "press"

urlpatterns = [
    path("media-inquiries/", views.inquiry_list, name="list"),
    path(
        "incidents/<reference:reference>/media-inquiries/new/",
        views.inquiry_create,
        name="create",
    ),
    path("media-inquiries/<int:pk>/", views.inquiry_detail, name="detail"),
    path("media-inquiries/<int:pk>/edit/", views.inquiry_edit, name="edit"),
    path("media-inquiries/<int:pk>/answer/", views.inquiry_answer, name="answer"),
    path("media-inquiries/<int:pk>/approve/", views.inquiry_approve, name="approve"),
    path("media-inquiries/<int:pk>/answered/", views.inquiry_answered, name="answered"),
    path("media-inquiries/<int:pk>/decline/", views.inquiry_decline, name="decline"),
    path("media-inquiries/<int:pk>/history/", views.inquiry_history, name="history"),
]
