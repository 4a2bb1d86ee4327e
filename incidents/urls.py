from django.urls import path

from incidents import export_views, lessons, postmortem_views, views

app_name = "incidents"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/clocks/", views.dashboard_clocks, name="dashboard-clocks"),
    path("incidents/", views.incident_list, name="list"),
    path("lessons/", lessons.lesson_list, name="lessons"),
    path("incidents/export.csv", export_views.incident_export, name="export"),
    path("incidents/new/", views.incident_create, name="create"),
    path("incidents/<reference:reference>/", views.incident_detail, name="detail"),
    path("incidents/<reference:reference>/edit/", views.incident_edit, name="edit"),
    path("incidents/<reference:reference>/move/<slug:action>/", views.incident_move, name="move"),
    path("incidents/<reference:reference>/history/", views.incident_history, name="history"),
    path("incidents/<reference:reference>/timeline/", views.incident_timeline, name="timeline"),
    path("incidents/<reference:reference>/parties/new/", views.party_create, name="party-create"),
    path(
        "incidents/<reference:reference>/parties/<int:pk>/edit/",
        views.party_edit,
        name="party-edit",
    ),
    path(
        "incidents/<reference:reference>/parties/<int:pk>/history/",
        views.party_history,
        name="party-history",
    ),
    path(
        "incidents/<reference:reference>/postmortem/",
        postmortem_views.postmortem_form,
        name="postmortem",
    ),
    path(
        "incidents/<reference:reference>/postmortem/report/",
        postmortem_views.postmortem_report,
        name="postmortem-report",
    ),
    path(
        "incidents/<reference:reference>/postmortem/report.md",
        postmortem_views.postmortem_markdown,
        name="postmortem-markdown",
    ),
    path(
        "incidents/<reference:reference>/postmortem/history/",
        postmortem_views.postmortem_history,
        name="postmortem-history",
    ),
]
