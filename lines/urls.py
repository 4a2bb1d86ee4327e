from django.urls import path

from lines import views

app_name = "lines"

urlpatterns = [
    path("lines/", views.line_list, name="list"),
    path("lines/new/", views.line_create, name="create"),
    path("lines/<int:pk>/", views.line_edit, name="edit"),
    path("lines/<int:pk>/approve/", views.line_approve, name="approve"),
    path("lines/<int:pk>/retire/", views.line_retire, name="retire"),
    path("lines/<int:pk>/history/", views.line_history, name="history"),
]
