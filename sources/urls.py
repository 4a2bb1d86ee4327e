from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("sources/", views.source_list, name="list"),
    path("sources/add/", views.source_add, name="add"),
    path("sources/<int:pk>/edit/", views.source_edit, name="edit"),
    path("sources/<int:pk>/pause/", views.source_pause, name="pause"),
    path("sources/<int:pk>/poll/", views.source_poll, name="poll"),
    path("sources/<int:pk>/delete/", views.source_delete, name="delete"),
]
