from django.urls import path

from monitoring import import_views, mention_views

app_name = "monitoring"

# The same addresses as when mentions were part of the incidents app.
urlpatterns = [
    path("dashboard/spikes/", mention_views.dashboard_spikes, name="dashboard-spikes"),
    path("mentions/inbox/", mention_views.inbox, name="inbox"),
    path("mentions/inbox/act/", mention_views.inbox_act, name="inbox-act"),
    path("mentions/import/", import_views.import_start, name="import"),
    path("mentions/import/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("mentions/import/<int:pk>/retry/", import_views.import_retry, name="import-retry"),
    path(
        "mentions/import/<int:pk>/progress/",
        import_views.import_progress,
        name="import-progress",
    ),
    path(
        "incidents/<reference:reference>/mentions/",
        mention_views.incident_mentions,
        name="mentions",
    ),
    path(
        "incidents/<reference:reference>/mentions/unlink/",
        mention_views.incident_mentions_unlink,
        name="mentions-unlink",
    ),
    path(
        "incidents/<reference:reference>/mentions/panel/",
        mention_views.incident_mentions_panel,
        name="mentions-panel",
    ),
    path(
        "incidents/<reference:reference>/mentions/link-matching/",
        mention_views.incident_link_matching,
        name="mentions-link-matching",
    ),
]
