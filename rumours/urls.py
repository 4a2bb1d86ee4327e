from django.urls import path

from rumours import views

app_name = "rumours"

urlpatterns = [
    path("incidents/<reference:reference>/rumours/", views.rumour_list, name="list"),
    path("incidents/<reference:reference>/rumours/new/", views.rumour_create, name="create"),
    path("rumours/", views.rumour_log, name="log"),
    path("rumours/export/", views.rumour_log_export, name="log-export"),
    path("rumours/<int:pk>/", views.rumour_edit, name="edit"),
    path("rumours/<int:pk>/history/", views.rumour_history, name="history"),
]
