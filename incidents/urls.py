from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("incidents/", views.incident_list, name="list"),
    path("incidents/export.csv", views.incident_export, name="export"),
    path("incidents/new/", views.incident_create, name="create"),
    path("incidents/<str:reference>/", views.incident_detail, name="detail"),
    path("incidents/<str:reference>/edit/", views.incident_edit, name="edit"),
    path("incidents/<str:reference>/move/<slug:action>/", views.incident_move, name="move"),
    path("incidents/<str:reference>/history/", views.incident_history, name="history"),
    path("incidents/<str:reference>/parties/new/", views.party_create, name="party-create"),
    path("incidents/<str:reference>/parties/<int:pk>/edit/", views.party_edit, name="party-edit"),
    path(
        "incidents/<str:reference>/parties/<int:pk>/history/",
        views.party_history,
        name="party-history",
    ),
]
